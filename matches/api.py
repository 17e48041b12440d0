"""REST API of head-to-head events: configure, draw, matches, ends, confirmation, rosters, the bracket.

Views parse input, check nothing themselves beyond authentication and hand off to
``matches.services`` (which ask ``competitions.access``) or ``matches.selectors``.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions.access import require_chief_judge, require_judge
from competitions.models import Entry, Event
from config.api import InputSerializer
from config.errors import error
from matches import selectors, services
from matches.groups import TIE_RULES
from matches.models import End, Match, MatchAudit, MatchEvent, RosterMember
from scoring.api import IDEMPOTENCY_HEADER


def _event(pk) -> Event:
    return get_object_or_404(Event.objects.select_related("competition"), pk=pk)


def _match(pk) -> Match:
    return get_object_or_404(Match.objects.select_related("match_event__event__competition"), pk=pk)


class MatchEventSerializer(serializers.ModelSerializer):
    tie_rules = serializers.ListField(child=serializers.ChoiceField(choices=TIE_RULES), required=False)
    seeded = serializers.ListField(child=serializers.IntegerField(), required=False)
    placings_to = serializers.ChoiceField(choices=[4, 8], required=False)

    class Meta:
        model = MatchEvent
        fields = [
            "event",
            "format",
            "best_of",
            "group_count",
            "advance_per_group",
            "third_place",
            "placings_to",
            "tie_rules",
            "pullers",
            "weight_limit",
            "men_required",
            "women_required",
            "courts",
            "slot_minutes",
            "starts_at",
            "seeded",
            "draw_seed",
            "draw_result",
        ]
        read_only_fields = ["event", "draw_seed", "draw_result"]


class MatchEventView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MatchEventSerializer}, summary="对抗赛设置")
    def get(self, request, pk):
        event = _event(pk)
        require_chief_judge(request.user, event)
        match_event = get_object_or_404(MatchEvent, event=event)
        return Response(MatchEventSerializer(match_event).data)

    @extend_schema(request=MatchEventSerializer, responses={200: MatchEventSerializer}, summary="设为对抗赛或修改设置")
    def put(self, request, pk):
        event = _event(pk)
        data = MatchEventSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        match_event = services.match_event_configure(actor=request.user, event=event, **data.validated_data)
        return Response(MatchEventSerializer(match_event).data)


class MatchDrawInput(InputSerializer):
    seed = serializers.CharField(required=False, allow_blank=True, max_length=64)


class MatchSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="label", read_only=True)
    ends = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "id",
            "key",
            "stage",
            "group",
            "round",
            "number",
            "placing",
            "home",
            "away",
            "court",
            "starts_at",
            "status",
            "outcome",
            "winner",
            "version",
            "ends",
        ]

    def get_ends(self, match) -> list[dict]:
        return [
            {"number": e.number, "winner": e.winner, "home_score": e.home_score, "away_score": e.away_score}
            for e in match.ends.all()
        ]


class EventDrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MatchDrawInput, responses={201: MatchEventSerializer}, summary="分组抽签并生成赛程")
    def post(self, request, pk):
        data = MatchDrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        match_event = services.matches_draw(
            actor=request.user, event=_event(pk), seed=data.validated_data.get("seed") or None
        )
        return Response(MatchEventSerializer(match_event).data, status=status.HTTP_201_CREATED)


class EventMatchesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MatchSerializer(many=True)}, summary="本项目全部场次（裁判）")
    def get(self, request, pk):
        event = _event(pk)
        require_judge(request.user, event)
        matches = Match.objects.filter(match_event__event=event).select_related("group").prefetch_related("ends")
        return Response(MatchSerializer(matches, many=True).data)


class EventBracketView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict}, summary="对阵图、小组积分与名次（裁判，不受公布策略限制）")
    def get(self, request, pk):
        event = _event(pk)
        require_judge(request.user, event)
        match_event = get_object_or_404(MatchEvent.objects.select_related("event"), event=event)
        return Response(selectors.bracket_data(match_event))


class PublicBracketView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: dict}, summary="公开对阵图（遵守公布策略）")
    def get(self, request, pk):
        return Response(selectors.public_bracket(_event(pk)))


class PlacingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict}, summary="最终名次 1–8 与奖项")
    def get(self, request, pk):
        event = _event(pk)
        require_chief_judge(request.user, event)
        return Response({"event": event.pk, "placings": selectors.event_placings(event)})


class EndInput(InputSerializer):
    winner = serializers.ChoiceField(choices=End.Side.choices)
    home_score = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    away_score = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    version = serializers.IntegerField(required=False, allow_null=True)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=200)


class EndView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=EndInput, parameters=[IDEMPOTENCY_HEADER], responses={200: dict}, summary="记录一局结果")
    def post(self, request, pk):
        data = EndInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = services.end_record(
            referee=request.user,
            match=_match(pk),
            winner=v["winner"],
            home_score=v.get("home_score"),
            away_score=v.get("away_score"),
            version=v.get("version"),
            idempotency_key=request.headers.get("Idempotency-Key") or v.get("idempotency_key") or "",
            device=request.headers.get("User-Agent", "")[:100],
        )
        return Response(result)


class VersionInput(InputSerializer):
    version = serializers.IntegerField(required=False, allow_null=True)


class ConfirmView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=VersionInput, responses={200: MatchSerializer}, summary="裁判长确认比赛结果")
    def post(self, request, pk):
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        match = services.match_confirm(actor=request.user, match=_match(pk), version=data.validated_data.get("version"))
        return Response(MatchSerializer(match).data)


class WalkoverInput(VersionInput):
    outcome = serializers.ChoiceField(choices=[c for c in Match.Outcome.values if c != Match.Outcome.PLAYED])
    winner = serializers.ChoiceField(choices=End.Side.choices)
    reason = serializers.CharField(max_length=200)


class WalkoverView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=WalkoverInput, responses={200: MatchSerializer}, summary="弃权、中途弃赛或取消资格")
    def post(self, request, pk):
        data = WalkoverInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        match = services.match_walkover(
            actor=request.user,
            match=_match(pk),
            outcome=v["outcome"],
            winner=v["winner"],
            reason=v["reason"],
            version=v.get("version"),
        )
        return Response(MatchSerializer(match).data)


class CorrectInput(VersionInput):
    ends = serializers.ListField(child=serializers.ChoiceField(choices=End.Side.choices), max_length=15)
    reason = serializers.CharField(max_length=200)


class CorrectView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=CorrectInput, responses={200: MatchSerializer}, summary="裁判长更正比赛结果（留痕）")
    def post(self, request, pk):
        data = CorrectInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        match = services.match_correct(
            actor=request.user, match=_match(pk), ends=v["ends"], reason=v["reason"], version=v.get("version")
        )
        return Response(MatchSerializer(match).data)


class ScheduleInput(VersionInput):
    court = serializers.IntegerField(min_value=1, allow_null=True)
    starts_at = serializers.DateTimeField(allow_null=True)


class ScheduleView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ScheduleInput, responses={200: MatchSerializer}, summary="调整场地与时间")
    def patch(self, request, pk):
        data = ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        match = services.match_schedule_edit(
            actor=request.user, match=_match(pk), court=v["court"], starts_at=v["starts_at"], version=v.get("version")
        )
        return Response(MatchSerializer(match).data)


class AuditView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict}, summary="比赛结果的留痕记录")
    def get(self, request, pk):
        match = _match(pk)
        require_chief_judge(request.user, match.match_event.event)
        rows = MatchAudit.objects.filter(match=match).select_related("actor")
        return Response(
            [
                {
                    "action": a.action,
                    "actor": a.actor.username,
                    "before": a.before,
                    "after": a.after,
                    "reason": a.reason,
                    "at": a.at,
                }
                for a in rows
            ]
        )


class RosterMemberSerializer(serializers.ModelSerializer):
    contestant = serializers.IntegerField(source="contestant_id")
    name = serializers.CharField(source="contestant.name", read_only=True)
    gender = serializers.CharField(source="contestant.gender", read_only=True)

    class Meta:
        model = RosterMember
        fields = ["contestant", "name", "gender", "substitute", "weight", "weighed_at"]
        read_only_fields = ["weight", "weighed_at"]


class RosterInput(InputSerializer):
    members = serializers.ListField(child=serializers.DictField(), max_length=60)


class WeighInRow(InputSerializer):
    contestant = serializers.IntegerField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=1)


class WeighInInput(InputSerializer):
    weights = WeighInRow(many=True)


def _entry(pk) -> Entry:
    return get_object_or_404(Entry.objects.select_related("event__competition"), pk=pk)


def _roster(entry):
    return RosterMemberSerializer(RosterMember.objects.filter(entry=entry).select_related("contestant"), many=True).data


class RosterView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: RosterMemberSerializer(many=True)}, summary="队员名单")
    def get(self, request, pk):
        entry = _entry(pk)
        require_judge(request.user, entry.event)
        return Response(_roster(entry))

    @extend_schema(request=RosterInput, responses={200: RosterMemberSerializer(many=True)}, summary="设定队员名单")
    def put(self, request, pk):
        data = RosterInput(data=request.data)
        data.is_valid(raise_exception=True)
        members = []
        for row in data.validated_data["members"]:
            try:
                members.append({"contestant": int(row["contestant"]), "substitute": bool(row.get("substitute"))})
            except (KeyError, TypeError, ValueError):
                raise error("invalid", field="members") from None
        entry = _entry(pk)
        services.roster_set(actor=request.user, entry=entry, members=members)
        return Response(_roster(entry))


class WeighInView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=WeighInInput, responses={200: RosterMemberSerializer(many=True)}, summary="称重")
    def post(self, request, pk):
        data = WeighInInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = _entry(pk)
        weights = {row["contestant"]: row["weight"] for row in data.validated_data["weights"]}
        services.weigh_in(actor=request.user, entry=entry, weights=weights)
        return Response(_roster(entry))
