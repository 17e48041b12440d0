"""REST API of the results chain under ``/api/v1/events/<id>/results/…``: thin views over ``scoring.results``.

The chief judge closes marking, draws the review sample, reviews (reviewers confirm, the
chief judge corrects), decodes and announces; organisers rule on objections and record
finality; anyone may read the public notice of an announced event and raise an objection.
Every refusal is a registered error code (``config.errors``).
"""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from competitions.access import require_chief_judge, require_organiser, require_reviewer
from competitions.models import Event
from config.api import InputSerializer
from config.errors import error
from config.fields import DateTimeField
from scoring import results, results_selectors
from scoring.models import EventResults, Objection, ResultsAudit, ReviewItem
from scoring.serializers import MarkInSerializer
from scoring.services import decimal_text

# --------------------------------------------------------------------------
# Serializers (small, per endpoint)


class ResultsStateOut(serializers.ModelSerializer):
    effective_stage = serializers.SerializerMethodField()
    decoded_at = DateTimeField(source="event.decoded_at", allow_null=True)

    class Meta:
        model = EventResults
        fields = [
            "event",
            "stage",
            "effective_stage",
            "appeal_window_hours",
            "marking_closed_at",
            "review_seed",
            "review_drawn_at",
            "full_review",
            "review_completed_at",
            "decoded_at",
            "announced_at",
            "announcement_ends_at",
            "contact",
            "final_at",
        ]

    def get_effective_stage(self, obj) -> str:
        return results_selectors.results_stage(obj)


class ResultsReasonIn(InputSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReviewItemOut(serializers.ModelSerializer):
    code = serializers.CharField(source="entry.code")
    corrections = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ReviewItem
        fields = [
            "id",
            "entry",
            "code",
            "reason",
            "round",
            "status",
            "note",
            "reviewed_by",
            "reviewed_at",
            "corrections",
        ]


class ConfirmIn(InputSerializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CorrectIn(InputSerializer):
    judge = serializers.IntegerField(help_text="The judge whose marks are corrected.")
    marks = MarkInSerializer(many=True, allow_empty=False)
    reason = serializers.CharField(max_length=200)


class ReopenIn(InputSerializer):
    entries = serializers.ListField(
        child=serializers.CharField(max_length=20),
        allow_empty=False,
        max_length=500,
        help_text="Entry codes to review again.",
    )
    reason = serializers.CharField(max_length=300)


class AnnounceIn(InputSerializer):
    days = serializers.IntegerField(default=results.ANNOUNCEMENT_DAYS, help_text="Announcement period, 1–30 days.")
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ObjectionIn(InputSerializer):
    name = serializers.CharField(max_length=60)
    contact = serializers.CharField(max_length=60)
    text = serializers.CharField(max_length=2000)


class ObjectionOut(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "event", "name", "contact", "text", "filed_at", "status", "decision", "decided_at"]


class ObjectionDecideIn(InputSerializer):
    status = serializers.ChoiceField(choices=[Objection.Status.UPHELD, Objection.Status.DISMISSED])
    decision = serializers.CharField(max_length=300)


class AuditOut(serializers.ModelSerializer):
    class Meta:
        model = ResultsAudit
        fields = ["id", "action", "actor", "at", "reason", "data"]


class NoticeRowOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    organisation = serializers.CharField()
    total = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    award = serializers.IntegerField(allow_null=True)


class NoticeOut(serializers.Serializer):
    event = serializers.IntegerField()
    title = serializers.CharField()
    announced_at = DateTimeField()
    announcement_ends_at = DateTimeField()
    contact = serializers.CharField()
    final = serializers.BooleanField()
    rows = NoticeRowOut(many=True)


# --------------------------------------------------------------------------
# Views


def _event(event_id: int) -> Event:
    return get_object_or_404(Event.objects.select_related("competition"), pk=event_id)


def _state(event: Event) -> EventResults:
    state = results_selectors.event_results(event) or EventResults(event=event)
    state.event = event
    return state


class _ResultsView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []
    serializer_class = ResultsStateOut

    def parsed(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data


@extend_schema(tags=["results"], responses=ResultsStateOut)
class ResultsStateView(_ResultsView):
    """Where the event's results stand (chief judges, reviewers, organisers)."""

    def get(self, request, event_id: int):
        event = _event(event_id)
        require_reviewer(request.user, event)
        return Response(ResultsStateOut(_state(event)).data)


@extend_schema(tags=["results"], request=ResultsReasonIn, responses=ResultsStateOut)
class CloseMarkingView(_ResultsView):
    """The chief judge ends marking: every entry complete, every sheet locked (the event's end, for appeals)."""

    def post(self, request, event_id: int):
        event = _event(event_id)
        state = results.results_close_marking(
            actor=request.user, event=event, reason=self.parsed(ResultsReasonIn)["reason"]
        )
        return Response(ResultsStateOut(state).data)


@extend_schema(tags=["results"], request=None, responses=ResultsStateOut)
class DrawReviewView(_ResultsView):
    """The chief judge draws the review sample (top 10 + 15% of the rest) by lot, with a recorded seed."""

    def post(self, request, event_id: int):
        state = results.results_draw_review(actor=request.user, event=_event(event_id))
        return Response(ResultsStateOut(state).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["results"], responses=ReviewItemOut(many=True))
class ReviewItemsView(_ResultsView):
    serializer_class = ReviewItemOut

    def get(self, request, event_id: int):
        event = _event(event_id)
        require_reviewer(request.user, event)
        items = ReviewItem.objects.filter(event=event).select_related("entry").prefetch_related("corrections")
        return Response(ReviewItemOut(items.order_by("id"), many=True).data)


def _item(event_id: int, item_id: int) -> ReviewItem:
    return get_object_or_404(ReviewItem.objects.select_related("event__competition"), pk=item_id, event_id=event_id)


@extend_schema(tags=["results"], request=ConfirmIn, responses=ReviewItemOut)
class ReviewConfirmView(_ResultsView):
    serializer_class = ConfirmIn

    def post(self, request, event_id: int, item_id: int):
        item = results.review_item_confirm(
            actor=request.user, item=_item(event_id, item_id), note=self.parsed(ConfirmIn)["note"]
        )
        return Response(ReviewItemOut(item).data)


@extend_schema(tags=["results"], request=CorrectIn, responses=ReviewItemOut)
class ReviewCorrectView(_ResultsView):
    """The chief judge corrects a sampled entry's marks with a reason (through ``marks_submit``)."""

    serializer_class = CorrectIn

    def post(self, request, event_id: int, item_id: int):
        item = _item(event_id, item_id)
        require_chief_judge(request.user, item.event)
        data = self.parsed(CorrectIn)
        judge = get_user_model().objects.filter(pk=data["judge"]).first()
        if judge is None:
            raise error("unknown_judge", field="judge")
        item = results.review_item_correct(
            actor=request.user,
            item=item,
            judge=judge,
            marks=data["marks"],
            reason=data["reason"],
            device=request.headers.get("User-Agent", "")[:80],
        )
        return Response(ReviewItemOut(item).data)


@extend_schema(tags=["results"], request=ResultsReasonIn, responses=ResultsStateOut)
class DecodeView(_ResultsView):
    """The chief judge decodes the event (解密) once the review is complete."""

    def post(self, request, event_id: int):
        event = _event(event_id)
        state = results.results_decode(actor=request.user, event=event, reason=self.parsed(ResultsReasonIn)["reason"])
        return Response(ResultsStateOut(state).data)


@extend_schema(tags=["results"], request=AnnounceIn, responses=ResultsStateOut)
class AnnounceView(_ResultsView):
    """Publish the decoded results for an announcement period (公示), 3 days by default."""

    def post(self, request, event_id: int):
        data = self.parsed(AnnounceIn)
        state = results.results_announce(actor=request.user, event=_event(event_id), **data)
        return Response(ResultsStateOut(state).data)


@extend_schema(tags=["results"], request=ReopenIn, responses=ResultsStateOut)
class ReopenView(_ResultsView):
    """After an upheld objection, the chief judge reopens the review for the entries concerned (by code)."""

    def post(self, request, event_id: int):
        data = self.parsed(ReopenIn)
        state = results.results_reopen(
            actor=request.user, event=_event(event_id), codes=data["entries"], reason=data["reason"]
        )
        return Response(ResultsStateOut(state).data)


@extend_schema(tags=["results"], request=None, responses=ResultsStateOut)
class FinaliseView(_ResultsView):
    """The organiser records the results as final (the period is over, no open or upheld objection)."""

    def post(self, request, event_id: int):
        return Response(ResultsStateOut(results.results_finalise(actor=request.user, event=_event(event_id))).data)


@extend_schema(tags=["results"])
class ObjectionsView(_ResultsView):
    """Anyone raises an objection during the announcement period; organisers list them."""

    serializer_class = ObjectionOut

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses=ObjectionOut(many=True))
    def get(self, request, event_id: int):
        event = _event(event_id)
        require_organiser(request.user, event.competition)
        return Response(ObjectionOut(Objection.objects.filter(event=event), many=True).data)

    @extend_schema(request=ObjectionIn, responses={201: ObjectionOut})
    def post(self, request, event_id: int):
        event = _event(event_id)
        if not results_selectors.notice_visible_to(request.user, event):
            raise error("not_found")
        objection = results.objection_file(event=event, **self.parsed(ObjectionIn))
        return Response(ObjectionOut(objection).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["results"], request=ObjectionDecideIn, responses=ObjectionOut)
class ObjectionDecideView(_ResultsView):
    serializer_class = ObjectionDecideIn

    def post(self, request, pk: int):
        objection = get_object_or_404(Objection, pk=pk)
        objection = results.objection_decide(actor=request.user, objection=objection, **self.parsed(ObjectionDecideIn))
        return Response(ObjectionOut(objection).data)


@extend_schema(tags=["results"], responses=AuditOut(many=True))
class ResultsAuditView(_ResultsView):
    serializer_class = AuditOut

    def get(self, request, event_id: int):
        event = _event(event_id)
        require_reviewer(request.user, event)
        return Response(AuditOut(results_selectors.results_audit(event), many=True).data)


@extend_schema(tags=["results"], responses=NoticeOut)
class NoticeView(_ResultsView):
    """The public notice (公示) of an announced event: codes decoded, names, units, scores, awards."""

    permission_classes = [AllowAny]
    serializer_class = NoticeOut

    def get(self, request, event_id: int):
        event = _event(event_id)
        state = results_selectors.event_results(event)
        if state is None or state.announced_at is None or not results_selectors.notice_visible_to(request.user, event):
            raise error("not_found")
        rows = [{**row, "total": decimal_text(row["total"])} for row in results_selectors.notice_rows(event)]
        return Response(
            NoticeOut(
                {
                    "event": event.pk,
                    "title": event.title,
                    "announced_at": state.announced_at,
                    "announcement_ends_at": state.announcement_ends_at,
                    "contact": state.contact,
                    "final": results_selectors.results_stage(state) == EventResults.Stage.FINAL,
                    "rows": rows,
                }
            ).data
        )
