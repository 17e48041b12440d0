"""The scoring REST API: schemes, mark batches, sheets, appeals, standings, progress, alerts.

Views parse input, check who may look, and hand off to ``services`` and ``selectors``.
Every refusal is a DomainError with a stable code (see ``config.errors``).
"""

from dataclasses import replace

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from competitions import imports
from competitions.access import require_chief_judge, require_organiser
from competitions.models import Competition, Entry, Event, Organisation, Team
from competitions.selectors import competitions_managed_by, is_chief_judge, is_organiser, names_visible, roles_of
from config.api import query
from config.errors import DomainError, error
from scoring import attempt_import, mark_import, selectors, services
from scoring.filters import MarkFilter
from scoring.models import Appeal, MarkingScheme, Sheet
from scoring.serializers import (
    AppealDecideSerializer,
    AppealFileSerializer,
    AppealSerializer,
    AttemptImportQuery,
    AttemptImportSerializer,
    DeclaredAttemptSerializer,
    DeclaredAttemptsSerializer,
    MarkBatchResultSerializer,
    MarkBatchSerializer,
    MarkSerializer,
    OrganisationAwardRowSerializer,
    ProgressSerializer,
    ReasonSerializer,
    SchemeCheckSerializer,
    SchemeReviseSerializer,
    SchemeSerializer,
    SchemeUpdateSerializer,
    SchemeValidationSerializer,
    SheetBulkResultSerializer,
    SheetBulkSerializer,
    SheetSerializer,
    SheetSubmitSerializer,
    StandingsSerializer,
    TeamStandingsRowSerializer,
    VarianceAlertSerializer,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
    OpenApiParameter.HEADER,
    required=True,
    description="Client key of this request (at most 100 characters): a replay with the same key and body returns "
    "the original result and changes nothing; the same key with another body is 400 `idempotency_key_reused`.",
)


def _event(event_id: int) -> Event:
    return get_object_or_404(Event.objects.select_related("competition"), pk=event_id)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _entry_ids(user, event: Event, refs: list, fields: list[str]) -> list[int]:
    """Entry ids for the entries a client named: judges name them by code (参赛号), never by id.

    Blind marking: an id is what the set-up API once paired with a name, so judges neither
    send nor get one. A code that is not in the event is 400 ``entry_not_in_event``; an id
    (a JSON integer) from anyone but the event's chief judge or an organiser is 400
    ``entry_by_code``; ids are passed on as they are, and the service checks them.
    """
    by_code = selectors.entry_ids_by_code(event=event, codes=[ref for ref in refs if isinstance(ref, str)])
    chief = None
    ids = []
    for ref, field in zip(refs, fields, strict=True):
        if isinstance(ref, int):
            chief = is_chief_judge(user, event) if chief is None else chief
            if not chief:
                raise error("entry_by_code", field=field)
            ids.append(ref)
        elif ref in by_code:
            ids.append(by_code[ref])
        else:
            raise error("entry_not_in_event", field=field)
    return ids


def _codes_in(payload, codes: dict[int, str]):
    """``payload`` with every ``"entry": <id>`` (in dicts, lists of ids under ``entries``) given as the code."""
    if isinstance(payload, list):
        return [_codes_in(item, codes) for item in payload]
    if not isinstance(payload, dict):
        return payload
    out = {}
    for name, value in payload.items():
        if name == "entry" and isinstance(value, int):
            out[name] = codes.get(value, "")
        elif name == "entries" and isinstance(value, list):
            out[name] = [codes.get(item, "") if isinstance(item, int) else item for item in value]
        else:
            out[name] = _codes_in(value, codes)
    return out


def _entry_ids_in(payload) -> set[int]:
    if isinstance(payload, list):
        return set().union(*(_entry_ids_in(item) for item in payload)) if payload else set()
    if not isinstance(payload, dict):
        return set()
    found = set()
    for name, value in payload.items():
        if name == "entry" and isinstance(value, int):
            found.add(value)
        elif name == "entries" and isinstance(value, list):
            found.update(item for item in value if isinstance(item, int))
        else:
            found |= _entry_ids_in(value)
    return found


def _by_code(event: Event, payload):
    """A mark batch's body (or an error's extra) with entries named by code, as judges know them."""
    return _codes_in(payload, selectors.entry_codes(event=event, entry_ids=_entry_ids_in(payload)))


class _ScoringView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []


# --------------------------------------------------------------------------
# Schemes


@extend_schema(tags=["scoring"])
class SchemeViewSet(viewsets.ModelViewSet):
    """Marking schemes with nested criteria (organisers only)."""

    permission_classes = [IsAuthenticated]
    serializer_class = SchemeSerializer
    filter_backends = []

    def get_queryset(self):
        return (
            MarkingScheme.objects.filter(event__competition__in=competitions_managed_by(self.request.user))
            .select_related("event__competition")
            .prefetch_related("criteria")
            .order_by("id")
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SchemeUpdateSerializer
        if self.action == "revise":
            return SchemeReviseSerializer
        if self.action == "validate":
            return SchemeCheckSerializer
        return SchemeSerializer

    def create(self, request, *args, **kwargs):
        serializer = SchemeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        scheme = services.scheme_save(user=request.user, event=data.pop("event"), data=data)
        return Response(SchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        scheme = self.get_object()
        serializer = SchemeUpdateSerializer(scheme, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        scheme = services.scheme_save(user=request.user, event=scheme.event, data=dict(serializer.validated_data))
        return Response(SchemeSerializer(scheme).data)

    def destroy(self, request, *args, **kwargs):
        services.scheme_delete(user=request.user, scheme=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SchemeCheckSerializer, responses=SchemeValidationSerializer)
    @action(detail=False, methods=["post"])
    def validate(self, request):
        """Check a scheme against the rules without saving it; 400 lists every problem."""
        serializer = SchemeCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        event = data.pop("event")
        require_organiser(request.user, event.competition)
        selectors.scheme_check(*selectors.scheme_build(data, MarkingScheme(event=event)))
        return Response({"valid": True})

    @extend_schema(request=SchemeReviseSerializer, responses=SchemeSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """An audited revision of a scheme that already has marks (a reason is required)."""
        scheme = self.get_object()
        serializer = SchemeReviseSerializer(scheme, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        scheme = services.scheme_revise(user=request.user, scheme=scheme, data=data, reason=reason)
        return Response(SchemeSerializer(scheme).data)


# --------------------------------------------------------------------------
# Marks


@extend_schema(tags=["scoring"])
class EventMarksView(_ScoringView):
    """A judge's batch of marks (POST) and the marks they may read (GET, blind marking)."""

    serializer_class = MarkBatchSerializer
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        parameters=[OpenApiParameter("entry", OpenApiTypes.STR, description="Only this entry's marks (its code).")],
        responses=MarkSerializer(many=True),
    )
    def get(self, request, event_id: int):
        event = _event(event_id)
        marks = selectors.marks_visible_to(user=request.user, event=event)
        if marks is None:
            raise error("not_assigned")
        marks = MarkFilter.filtered(request, marks, event=event)
        page = self.paginate_queryset(marks)
        return self.get_paginated_response(MarkSerializer(page, many=True).data)

    @extend_schema(
        request=MarkBatchSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: MarkBatchResultSerializer},
    )
    def post(self, request, event_id: int):
        event = _event(event_id)
        serializer = MarkBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        judge = request.user
        if data["judge"] is not None and data["judge"] != request.user.pk:
            judge = get_user_model().objects.filter(pk=data["judge"]).first()
            if judge is None:
                raise error("unknown_judge", field="judge")
        ids = _entry_ids(
            request.user,
            event,
            [mark.entry for mark in data["marks"]],
            [f"marks[{index}].entry" for index in range(len(data["marks"]))],
        )
        try:
            result = services.marks_submit(
                judge=judge,
                actor=request.user,
                event=event,
                marks=[replace(mark, entry=entry_id) for mark, entry_id in zip(data["marks"], ids, strict=True)],
                idempotency_key=request.headers.get("Idempotency-Key") or data.get("idempotency_key") or "",
                device=data["device"] or request.headers.get("User-Agent", "")[:80],
                reason=data["reason"],
                appeal_id=data["appeal"],
            )
        except DomainError as refused:
            # A version conflict lists the current marks, a locked sheet its entries: by code too.
            refused.extra = _by_code(event, refused.extra)
            raise
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(_by_code(event, result.response), headers=headers)


# --------------------------------------------------------------------------
# Declared attempts (dive lists)


@extend_schema(tags=["scoring"])
class EventDeclaredAttemptsView(_ScoringView):
    """Each entry's declared attempts with their own difficulty (organisers write; chief judges read)."""

    serializer_class = DeclaredAttemptsSerializer

    @extend_schema(responses=DeclaredAttemptSerializer(many=True))
    def get(self, request, event_id: int):
        event = _event(event_id)
        require_chief_judge(request.user, event)
        attempts = selectors.declared_attempts_of(event=event)
        return Response(DeclaredAttemptSerializer(attempts, many=True).data)

    @extend_schema(request=DeclaredAttemptsSerializer, responses=DeclaredAttemptSerializer(many=True))
    def post(self, request, event_id: int):
        """Upsert; 409 ``declared_attempts_frozen`` once an entry has marks on the criterion."""
        event = _event(event_id)
        serializer = DeclaredAttemptsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.declared_attempts_save(user=request.user, event=event, items=serializer.validated_data["attempts"])
        return Response(DeclaredAttemptSerializer(selectors.declared_attempts_of(event=event), many=True).data)


@extend_schema(tags=["scoring"])
class EventDeclaredAttemptsImportView(_ScoringView):
    """Dive lists from .xlsx (参赛号, 轮次, 动作, 难度, optional 评分项); ``dry_run`` previews."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = AttemptImportSerializer

    @extend_schema(
        request={"multipart/form-data": AttemptImportSerializer},
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="只预览，不写入"),
            OpenApiParameter("criterion", OpenApiTypes.STR, description="评分项代号（文件没有“评分项”列时）"),
        ],
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    def post(self, request, event_id: int):
        event = _event(event_id)
        require_organiser(request.user, event.competition)
        data = AttemptImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            raw_rows = imports.read_upload(data.validated_data["file"], attempt_import.COLUMNS)
        except imports.ImportFileError as exc:
            raise error(exc.code, field="file", detail=exc.message) from exc
        params = query(request, AttemptImportQuery)
        criterion = params.get("criterion")
        if params["dry_run"]:
            rows, _items = attempt_import.build_preview(event=event, raw_rows=raw_rows, criterion=criterion)
            return Response(attempt_import.preview_body(rows, dry_run=True))
        body = attempt_import.attempts_import(user=request.user, event=event, raw_rows=raw_rows, criterion=criterion)
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["scoring"])
class EventMarksImportView(_ScoringView):
    """Measured and timed results from .xlsx (参赛号, 评分项, 轮次, 成绩, 罚分, 状态), for one-judge criteria.

    The chief judge or an organiser; each row becomes the assigned judge's mark, recorded as the
    importer's correction with the file's name. ``dry_run`` previews; the same file twice changes nothing.
    """

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = AttemptImportSerializer

    @extend_schema(
        request={"multipart/form-data": AttemptImportSerializer},
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="只预览，不写入")],
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    def post(self, request, event_id: int):
        event = _event(event_id)
        require_chief_judge(request.user, event)
        data = AttemptImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            raw_rows = imports.read_upload(upload, mark_import.COLUMNS)
        except imports.ImportFileError as exc:
            raise error(exc.code, field="file", detail=exc.message) from exc
        if request.query_params.get("dry_run") in ("1", "true", "yes"):
            rows, _planned = mark_import.build_preview(event=event, raw_rows=raw_rows, actor=request.user)
            return Response(mark_import.preview_body(rows, dry_run=True))
        upload.seek(0)
        body = mark_import.marks_import(
            actor=request.user, event=event, raw_rows=raw_rows, content=upload.read(), filename=upload.name
        )
        return Response(body, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------
# Sheets


@extend_schema(tags=["scoring"])
class EventSheetsView(_ScoringView):
    """Sheets of an event: judges see their own, chief judges all."""

    serializer_class = SheetSerializer
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(responses=SheetSerializer(many=True))
    def get(self, request, event_id: int):
        event = _event(event_id)
        sheets = selectors.sheets_visible_to(user=request.user, event=event)
        if sheets is None:
            raise error("not_assigned")
        page = self.paginate_queryset(sheets)
        return self.get_paginated_response(SheetSerializer(page, many=True).data)


@extend_schema(tags=["scoring"])
class SheetSubmitView(_ScoringView):
    """The judge hands in their sheet for one entry (draft → submitted)."""

    serializer_class = SheetSubmitSerializer

    @extend_schema(request=SheetSubmitSerializer, responses=SheetSerializer)
    def post(self, request, event_id: int):
        event = _event(event_id)
        serializer = SheetSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        (entry_id,) = _entry_ids(request.user, event, [serializer.validated_data["entry"]], ["entry"])
        entry = Entry.objects.filter(pk=entry_id, event=event).select_related("event__competition").first()
        if entry is None:
            raise error("entry_not_in_event", field="entry")
        sheet = services.sheet_submit(judge=request.user, entry=entry)
        return Response(SheetSerializer(sheet).data)


@extend_schema(tags=["scoring"])
class EventSheetsBulkView(_ScoringView):
    """Submit, lock, unlock or publish many sheets of the event in one call: all or nothing, idempotent.

    The rules are the single actions': judges submit their own sheets, the event's chief judge
    locks, unlocks (with a reason) and publishes. The first refusal undoes the call and names the
    item (``field``: ``sheets[3]``, and ``sheet``: its id).
    """

    serializer_class = SheetBulkSerializer

    @extend_schema(request=SheetBulkSerializer, parameters=[IDEMPOTENCY_HEADER], responses=SheetBulkResultSerializer)
    def post(self, request, event_id: int):
        event = _event(event_id)
        serializer = SheetBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry_ids = None
        if "entries" in data:
            fields = [f"entries[{index}]" for index in range(len(data["entries"]))]
            entry_ids = _entry_ids(request.user, event, data["entries"], fields)
        result = services.sheets_bulk(
            actor=request.user,
            event=event,
            action=data["action"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            sheet_ids=data.get("sheets"),
            entry_ids=entry_ids,
            reason=data["reason"],
        )
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(result.response, headers=headers)


class _SheetActionView(_ScoringView):
    serializer_class = ReasonSerializer

    def _sheet(self, pk: int) -> Sheet:
        return get_object_or_404(Sheet.objects.select_related("entry__event__competition"), pk=pk)

    def _reason(self, request) -> str:
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["reason"]


@extend_schema(tags=["scoring"], request=ReasonSerializer, responses=SheetSerializer)
class SheetLockView(_SheetActionView):
    """The chief judge locks a sheet: its marks can no longer change."""

    def post(self, request, pk: int):
        sheet = services.sheet_lock(actor=request.user, sheet=self._sheet(pk), reason=self._reason(request))
        return Response(SheetSerializer(sheet).data)


@extend_schema(tags=["scoring"], request=ReasonSerializer, responses=SheetSerializer)
class SheetUnlockView(_SheetActionView):
    """The chief judge unlocks a sheet; a reason is required and audited."""

    def post(self, request, pk: int):
        sheet = services.sheet_unlock(actor=request.user, sheet=self._sheet(pk), reason=self._reason(request))
        return Response(SheetSerializer(sheet).data)


@extend_schema(tags=["scoring"], request=None, responses=SheetSerializer)
class SheetPublishView(_SheetActionView):
    """The chief judge publishes a locked sheet."""

    def post(self, request, pk: int):
        sheet = services.sheet_publish(actor=request.user, sheet=self._sheet(pk))
        return Response(SheetSerializer(sheet).data)


# --------------------------------------------------------------------------
# Appeals


@extend_schema(tags=["scoring"])
class EventAppealsView(_ScoringView):
    """Appeals (申诉) of an event: recorded and listed by chief judges and organisers."""

    serializer_class = AppealSerializer

    @extend_schema(responses=AppealSerializer(many=True))
    def get(self, request, event_id: int):
        event = _event(event_id)
        require_chief_judge(request.user, event)
        appeals = Appeal.objects.filter(entry__event=event).order_by("-filed_at", "-id")
        return Response(AppealSerializer(appeals, many=True).data)

    @extend_schema(request=AppealFileSerializer, responses={201: AppealSerializer})
    def post(self, request, event_id: int):
        event = _event(event_id)
        serializer = AppealFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = Entry.objects.filter(pk=serializer.validated_data["entry"], event=event).first()
        if entry is None:
            raise error("entry_not_in_event", field="entry")
        data = serializer.validated_data
        unit = None
        if data["unit"] is not None:
            unit = Organisation.objects.filter(pk=data["unit"]).first()
            if unit is None:
                raise error("does_not_exist", field="unit")
        appeal = services.appeal_file(
            user=request.user,
            entry=entry,
            reason=data["reason"],
            appellant=data["appellant"],
            appellant_name=data["appellant_name"],
            unit=unit,
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["scoring"], request=AppealDecideSerializer, responses=AppealSerializer)
class AppealDecideView(_ScoringView):
    """The arbitration group's final decision on an appeal (arbitrators or organisers)."""

    serializer_class = AppealDecideSerializer

    def post(self, request, pk: int):
        appeal = get_object_or_404(Appeal, pk=pk)
        serializer = AppealDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.appeal_decide(user=request.user, appeal=appeal, **serializer.validated_data)
        return Response(AppealSerializer(appeal).data)


# --------------------------------------------------------------------------
# Standings, progress, alerts


def _visible_event(request, event_id: int) -> Event:
    event = _event(event_id)
    if not selectors.standings_visible_to(user=request.user, event=event):
        raise error("not_found")
    return event


@extend_schema(tags=["scoring"], responses=StandingsSerializer)
class EventStandingsView(GenericAPIView):
    """The event's standings, recomputed from the marks, with the standings version."""

    permission_classes = []
    serializer_class = StandingsSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request, event_id: int):
        event = _visible_event(request, event_id)
        if selectors.standings_blind_for(request.user, event):
            raise error("standings_blind")
        result = selectors.event_standings(event=event)
        labels = selectors.standings_labels_for(request.user, event)
        with_ids = roles_of(request.user).manages(event.competition_id)
        rows = []
        for row in result.standings.rows:
            info = result.entries[row.entry_id]
            item = {"entry": row.entry_id} if with_ids else {}
            if labels.codes:
                item["code"] = info["code"]
            if labels.stations:
                item["station"] = info["station"]
            if labels.names:
                item["name"], item["organisation"] = info["name"], info["organisation"]
            item.update(
                rank=row.rank,
                award=row.award,
                total=_text(row.total),
                status=row.status,
                complete=row.complete,
                criterion_scores={code: str(score) for code, score in row.criterion_scores.items()},
            )
            rows.append(item)
        return Response(
            {
                "event": event.pk,
                "version": result.version,
                "complete": result.standings.complete,
                "entrants": result.standings.entrants,
                "rows": rows,
            }
        )


@extend_schema(tags=["scoring"], responses=TeamStandingsRowSerializer(many=True))
class EventTeamStandingsView(GenericAPIView):
    """Team standings built from members' results (the scheme's team method)."""

    permission_classes = []
    serializer_class = TeamStandingsRowSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request, event_id: int):
        event = _visible_event(request, event_id)
        if not (names_visible(event) or roles_of(request.user).manages(event.competition_id)):
            # Team totals are sums of the entries' totals, which the board shows by code: solving one for the
            # other would pair codes with teams.
            raise error("not_decoded")
        standings = selectors.event_team_standings(event=event)
        if standings is None:
            return Response([])
        teams = Team.objects.in_bulk([row.entry_id for row in standings.rows])
        return Response(
            [
                {
                    "team": row.entry_id,
                    "name": teams[row.entry_id].name,
                    "rank": row.rank,
                    "award": row.award,
                    "total": _text(row.total),
                    "status": row.status,
                }
                for row in standings.rows
            ]
        )


@extend_schema(tags=["scoring"], responses=OrganisationAwardRowSerializer(many=True))
class OrganisationAwardsView(GenericAPIView):
    """Excellent-organisation awards (优秀组织奖) over every event of a competition."""

    permission_classes = []
    serializer_class = OrganisationAwardRowSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request, competition_id: int):
        competition = get_object_or_404(Competition, pk=competition_id)
        events = list(competition.events.all())
        # Units' points come from places: any event whose board is not live (an event frozen by its chief) hides them.
        public = competition.is_public and all(
            event.publication_policy == Competition.Publication.LIVE for event in events
        )
        organiser = is_organiser(request.user, competition)
        if not (public or organiser):
            raise error("not_found")
        if not organiser and any(not names_visible(event) for event in events):
            # Units' points come from their entries' places, which a blind event shows by code.
            raise error("not_decoded")
        rows = selectors.organisation_award_rows(competition=competition)
        return Response(OrganisationAwardRowSerializer(rows, many=True).data)


@extend_schema(tags=["scoring"], responses=ProgressSerializer)
class EventProgressView(_ScoringView):
    """Missing marks per judge and per entry (chief judges and organisers)."""

    serializer_class = ProgressSerializer

    def get(self, request, event_id: int):
        event = _event(event_id)
        require_chief_judge(request.user, event)
        return Response(selectors.progress_by_code(selectors.event_progress(event=event)))


@extend_schema(tags=["scoring"], responses=VarianceAlertSerializer(many=True))
class EventVarianceAlertsView(_ScoringView):
    """Judgement marks far from the rest of their panel (chief judges and organisers)."""

    serializer_class = VarianceAlertSerializer

    def get(self, request, event_id: int):
        event = _event(event_id)
        require_chief_judge(request.user, event)
        alerts = selectors.alerts_by_code(selectors.variance_alerts(event=event))
        return Response(VarianceAlertSerializer(alerts, many=True).data)
