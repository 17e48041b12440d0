"""REST API of the live board: the competition's publication policy.

Live owns the policy, so this is where an API client changes it (the competitions API
refuses ``publication`` with ``publication_read_only``). The write goes through
``live.services.publication_set``, which checks the organiser role (403
``not_organiser``), takes the freeze snapshot or starts the reveal, and tells every
screen after commit. A competition the user cannot see is a 404.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions.models import Competition
from competitions.selectors import competitions_visible_to
from config.fields import DateTimeField
from live import services


class PublicationInputSerializer(serializers.Serializer):
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
