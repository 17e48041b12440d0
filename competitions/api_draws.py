"""API for the draws by lot: draw, list, replay. Organisers draw; the event's chief
judges may read the draw list and replay a draw too. The roster import/export API is
``competitions.api_roster``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions import draw_services
from competitions.access import require_chief_judge, require_organiser
from competitions.models import Draw, Event
from config.api import InputSerializer

# Draws


class DrawInputSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=Draw.Kind.choices)
    seed = serializers.CharField(required=False, allow_blank=True, max_length=64)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    prefix = serializers.RegexField(r"^[A-Za-z0-9]{1,4}$", required=False, help_text="参赛号前缀，仅用于参赛号抽签")
    late = serializers.BooleanField(default=False, help_text="只为还没有参赛号（或赛位）的迟到报名者补抽，已抽结果不变")


class DrawSerializer(serializers.ModelSerializer):
    drawn_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Draw
        fields = ["id", "event", "kind", "seed", "reason", "result", "drawn_by", "drawn_at"]


class ReplaySerializer(serializers.Serializer):
    matches = serializers.BooleanField()
    result_matches = serializers.BooleanField()
    entries_match = serializers.BooleanField()


class EventDrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=DrawInputSerializer, responses={201: DrawSerializer}, summary="抽签（参赛号或赛位号）")
    def post(self, request, pk):
        event = get_object_or_404(Event.objects.select_related("competition"), pk=pk)
        require_organiser(request.user, event.competition)
        data = DrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["late"]:
            draw = draw_services.draw_late(
                event=event,
                kind=data.validated_data["kind"],
                drawn_by=request.user,
                seed=data.validated_data.get("seed") or None,
            )
            return Response(DrawSerializer(draw).data, status=status.HTTP_201_CREATED)
        args = {
            "event": event,
            "drawn_by": request.user,
            "seed": data.validated_data.get("seed") or None,
            "reason": data.validated_data["reason"],
        }
        if data.validated_data["kind"] == Draw.Kind.CODE:
            draw = draw_services.draw_codes(**args, prefix=data.validated_data.get("prefix"))
        else:
            draw = draw_services.draw_stations(**args)
        return Response(DrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class EventDrawListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = DrawSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no event
            return Draw.objects.none()
        event = get_object_or_404(Event.objects.select_related("competition"), pk=self.kwargs["pk"])
        require_chief_judge(self.request.user, event)
        return event.draws.select_related("drawn_by").order_by("-drawn_at", "-id")


class DrawReplayView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ReplaySerializer}, summary="按种子复算抽签结果（审计）")
    def post(self, request, pk):
        draw = get_object_or_404(Draw.objects.select_related("event__competition"), pk=pk)
        require_chief_judge(request.user, draw.event)
        return Response(ReplaySerializer(draw_services.draw_replay(draw=draw)).data)
