"""REST API of the live board: the competition's publication policy, and an event's own.

Live owns the policy, so this is where an API client changes it (the competitions API
refuses ``publication`` with ``publication_read_only``). The write goes through
``live.services.publication_set``, which checks the organiser role (403
``not_organiser``), takes the freeze snapshot or starts the reveal, and tells every
screen after commit. A competition the user cannot see is a 404.

An event's own policy (``PUT /api/v1/events/{id}/publication/``, ``""`` to follow the
competition) is its chief judge's (``live.services.event_publication_set``): a chief judge of
another event gets 403 ``not_chief_judge``.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions.models import Competition, Event
from competitions.selectors import competitions_visible_to
from config.api import InputSerializer
from config.fields import DateTimeField
from live import services


class PublicationInputSerializer(InputSerializer):
    policy = serializers.ChoiceField(choices=Competition.Publication.choices)


class PublicationSerializer(serializers.Serializer):
    competition = serializers.IntegerField(source="pk")
    policy = serializers.CharField(source="publication")
    frozen_at = DateTimeField(allow_null=True)


class CompetitionPublicationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["live"],
        request=PublicationInputSerializer,
        responses={200: PublicationSerializer},
        summary="设置成绩公布方式（实时、封榜、隐藏、颁奖揭晓）",
    )
    def put(self, request, pk):
        competition = get_object_or_404(competitions_visible_to(request.user), pk=pk)
        data = PublicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = services.publication_set(
            actor=request.user, competition=competition, policy=data.validated_data["policy"]
        )
        return Response(PublicationSerializer(competition).data)


class EventPublicationInputSerializer(InputSerializer):
    policy = serializers.ChoiceField(choices=[("", _("随比赛")), *Competition.Publication.choices], allow_blank=True)


class EventPublicationSerializer(serializers.Serializer):
    event = serializers.IntegerField(source="pk")
    policy = serializers.CharField(source="publication_policy")
    override = serializers.CharField(source="publication")
    competition_policy = serializers.CharField(source="competition.publication")


class EventPublicationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["live"],
        request=EventPublicationInputSerializer,
        responses={200: EventPublicationSerializer},
        summary="设置本项目的成绩公布方式（裁判长：封榜、隐藏、颁奖揭晓，或随比赛）",
    )
    def put(self, request, pk):
        event = get_object_or_404(
            Event.objects.filter(competition__in=competitions_visible_to(request.user)).select_related("competition"),
            pk=pk,
        )
        data = EventPublicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_publication_set(actor=request.user, event=event, policy=data.validated_data["policy"])
        return Response(EventPublicationSerializer(event).data)
