"""Small input and output serializers for the scoring API. They shape data; rules live in services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from competitions.models import Entry, Event
from config.api import DryRunQuery, InputModelSerializer, InputSerializer, parse_int64
from config.errors import error
from scoring.models import Appeal, Criterion, Mark, MarkingScheme, Sheet
from scoring.selectors import CRITERION_FIELDS, SCHEME_FIELDS
from scoring.services import SHEET_BULK_ACTIONS, AttemptInput, MarkInput

# --------------------------------------------------------------------------
# Schemes


class CriterionSerializer(InputModelSerializer):
    attempt_multipliers = serializers.ListField(
        child=serializers.DecimalField(max_digits=8, decimal_places=4), required=False
    )

    class Meta:
        model = Criterion
        fields = ["id", "code", "position", *CRITERION_FIELDS, "judges"]
        extra_kwargs = {"judges": {"required": False}}
        read_only_fields = ["id"]
        # Uniqueness within a scheme is checked by the service; the model's constraint needs the scheme.
        validators = []

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "attempt_multipliers" in value:
            value["attempt_multipliers"] = [str(m) for m in value["attempt_multipliers"]]
        return value


class SchemeSerializer(InputModelSerializer):
    criteria = CriterionSerializer(many=True, required=False)

    class Meta:
        model = MarkingScheme
        fields = ["id", "event", "revision", *SCHEME_FIELDS, "criteria"]
        read_only_fields = ["id", "revision"]

    def validate_criteria(self, value):
        codes = [item["code"] for item in value]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("评分项代号不能重复。"))
        return value


class SchemeCheckSerializer(SchemeSerializer):
    """A scheme to validate without saving: the event may already have one."""

    event = serializers.PrimaryKeyRelatedField(queryset=Event.objects.all())


class SchemeUpdateSerializer(SchemeSerializer):
    class Meta(SchemeSerializer.Meta):
        read_only_fields = ["id", "revision", "event"]


class SchemeReviseSerializer(SchemeUpdateSerializer):
    reason = serializers.CharField(max_length=200)

    class Meta(SchemeUpdateSerializer.Meta):
        fields = [*SchemeUpdateSerializer.Meta.fields, "reason"]


class SchemeValidationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()


# --------------------------------------------------------------------------
# Marks

ENTRY_CODE_MAX_LENGTH = Entry._meta.get_field("code").max_length


@extend_schema_field({"type": "string", "maxLength": ENTRY_CODE_MAX_LENGTH})
class EntryRefField(serializers.Field):
    """An entry as a judge names it: its code (参赛号), a string such as ``"B17"``.

    Blind marking: judges never learn entry ids. A JSON integer is read as an entry id,
    which only chief judges and organisers may send (the API checks, ``entry_by_code``).
    """

    default_error_messages = {"invalid": _("请填写参赛号。")}

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and parse_int64(data) is not None:
            return data
        if isinstance(data, str) and data.strip() and len(data) <= ENTRY_CODE_MAX_LENGTH:
            return data.strip()
        self.fail("invalid")
        return None  # not reached: ``fail`` raises

    def to_representation(self, value):
        return value


class MarkInSerializer(InputSerializer):
    entry = EntryRefField(help_text='The entry\'s code (参赛号), e.g. "B17".')
    criterion = serializers.CharField(max_length=30)
    attempt = serializers.IntegerField(min_value=1, default=1)
    # Decimals are passed as text or JSON numbers; range, step and precision are checked by the engine's rules.
    value = serializers.CharField(allow_null=True, allow_blank=True, required=False, default=None)
    penalty = serializers.CharField(allow_null=True, allow_blank=True, required=False, default="0")
    status = serializers.ChoiceField(choices=Mark.Status.choices, default=Mark.Status.OK)
    version = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)

    def validate(self, attrs) -> MarkInput:
        return MarkInput(**attrs)


class DeclaredAttemptInSerializer(InputSerializer):
    entry = serializers.IntegerField()
    criterion = serializers.CharField(max_length=30)
    attempt = serializers.IntegerField(min_value=1)
    label = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    # Text, like mark values: range and precision are checked by the service.
    difficulty = serializers.CharField(max_length=40)

    def validate(self, attrs) -> AttemptInput:
        return AttemptInput(**attrs)


class DeclaredAttemptsSerializer(InputSerializer):
    attempts = DeclaredAttemptInSerializer(many=True, allow_empty=False)


class DeclaredAttemptSerializer(serializers.Serializer):
    entry = serializers.IntegerField(source="entry_id")
    code = serializers.CharField(source="entry.code")
    criterion = serializers.CharField(source="criterion.code")
    attempt = serializers.IntegerField()
    label = serializers.CharField()
    difficulty = serializers.DecimalField(max_digits=6, decimal_places=3)


class AttemptImportSerializer(InputSerializer):
    file = serializers.FileField()


class AttemptImportQuery(DryRunQuery):
    criterion = serializers.CharField(max_length=30, required=False, help_text="评分项代号（文件没有“评分项”列时）")


@extend_schema_serializer(deprecate_fields=["idempotency_key"])
class MarkBatchSerializer(InputSerializer):
    marks = MarkInSerializer(many=True, allow_empty=False)
    idempotency_key = serializers.CharField(
        max_length=100, required=False, help_text="Deprecated: send the Idempotency-Key header (it wins)."
    )
    device = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    appeal = serializers.IntegerField(required=False, allow_null=True, default=None)
    judge = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Chief judges only: correct this judge's marks (a reason is required). Default: yourself.",
    )


class MarkResultSerializer(serializers.Serializer):
    entry = serializers.CharField(help_text="The entry's code (参赛号).")
    criterion = serializers.CharField()
    attempt = serializers.IntegerField()
    value = serializers.CharField(allow_null=True)
    penalty = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    version = serializers.IntegerField()
    changed = serializers.BooleanField()


class MarkBatchResultSerializer(serializers.Serializer):
    marks = MarkResultSerializer(many=True)
    standings_version = serializers.IntegerField()


class MarkSerializer(serializers.ModelSerializer):
    """A stored mark; the entry appears only as its code and station (blind marking): ``entry`` is the code."""

    entry = serializers.CharField(source="entry.code", read_only=True)
    code = serializers.CharField(source="entry.code", read_only=True)
    station = serializers.IntegerField(source="entry.station", read_only=True, allow_null=True)
    criterion = serializers.CharField(source="criterion.code", read_only=True)

    class Meta:
        model = Mark
        fields = ["id", "entry", "code", "station", "criterion", "attempt", "judge", "value", "penalty", "status"]
        fields += ["version", "updated_at"]
        read_only_fields = fields


# --------------------------------------------------------------------------
# Sheets and appeals


class SheetSerializer(serializers.ModelSerializer):
    """A sheet; its entry appears only as code and station (blind marking): ``entry`` is the code."""

    entry = serializers.CharField(source="entry.code", read_only=True)
    code = serializers.CharField(source="entry.code", read_only=True)
    station = serializers.IntegerField(source="entry.station", read_only=True, allow_null=True)

    class Meta:
        model = Sheet
        fields = ["id", "entry", "code", "station", "judge", "state", "submitted_at", "locked_by", "locked_at"]
        fields += ["reason"]
        read_only_fields = fields


class SheetSubmitSerializer(InputSerializer):
    entry = EntryRefField(help_text="The entry's code (参赛号).")


class SheetBulkSerializer(InputSerializer):
    """Many sheets of one event, one action. Name them by ``sheets`` (ids), or, to submit, by ``entries``
    (codes); name none and the action takes every sheet it moves on from (see ``services.sheets_bulk``)."""

    action = serializers.ChoiceField(choices=SHEET_BULK_ACTIONS)
    sheets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),  # beyond 64 bits SQLite overflows
        max_length=1000,
        required=False,
        allow_empty=False,
    )
    entries = serializers.ListField(
        child=EntryRefField(),
        max_length=1000,
        required=False,
        allow_empty=False,
        help_text="submit only: the entries' codes (参赛号); your own sheet of each is submitted.",
    )
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Required to unlock (audited)."
    )

    def validate(self, attrs):
        if ("sheets" in attrs and "entries" in attrs) or ("entries" in attrs and attrs["action"] != "submit"):
            raise error("sheets_bulk_selection", field="entries")
        return attrs


class SheetBulkItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entry = serializers.CharField(help_text="The entry's code (参赛号).")
    judge = serializers.IntegerField()
    state = serializers.ChoiceField(choices=Sheet.State.choices)


class SheetBulkResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=SHEET_BULK_ACTIONS)
    count = serializers.IntegerField()
    sheets = SheetBulkItemSerializer(many=True)


class ReasonSerializer(InputSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "entry",
            "reason",
            "appellant",
            "appellant_name",
            "unit",
            "status",
            "decision",
            "filed_by",
            "filed_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = ["id", "status", "decision", "filed_by", "filed_at", "decided_by", "decided_at", "unit"]


class AppealFileSerializer(InputSerializer):
    entry = serializers.IntegerField()
    reason = serializers.CharField()
    appellant = serializers.ChoiceField(choices=Appeal.Appellant.choices, default=Appeal.Appellant.UNIT)
    appellant_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    unit = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="The entry's own unit.")


class AppealDecideSerializer(InputSerializer):
    status = serializers.ChoiceField(choices=Appeal.Status.choices, help_text="upheld or dismissed.")
    decision = serializers.CharField()


# --------------------------------------------------------------------------
# Standings, progress, alerts


class StandingsRowSerializer(serializers.Serializer):
    """Labelled per viewer (``scoring.selectors.standings_labels_for``): codes in a blind event,
    names once it is decoded; only organisers get the entry id."""

    entry = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False)
    station = serializers.IntegerField(allow_null=True, required=False)
    name = serializers.CharField(required=False)
    organisation = serializers.CharField(required=False)
    rank = serializers.IntegerField(allow_null=True)
    award = serializers.IntegerField(allow_null=True, help_text="1, 2, 3 = first, second, third prize.")
    total = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, coerce_to_string=True)
    status = serializers.CharField()
    complete = serializers.BooleanField()
    criterion_scores = serializers.DictField(child=serializers.CharField())


class StandingsSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    version = serializers.IntegerField()
    complete = serializers.BooleanField()
    entrants = serializers.IntegerField()
    rows = StandingsRowSerializer(many=True)


class TeamStandingsRowSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    award = serializers.IntegerField(allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, coerce_to_string=True)
    status = serializers.CharField()


class OrganisationAwardRowSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    name = serializers.CharField(source="organisation.name")
    points = serializers.IntegerField()
    rank = serializers.IntegerField()
    awarded = serializers.BooleanField()
    places = serializers.ListField(child=serializers.IntegerField())


class MissingCellSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    attempt = serializers.IntegerField()
    judge = serializers.IntegerField(allow_null=True)


class JudgeMissingCellSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The entry's code (参赛号); entries are never named by id here.")
    criterion = serializers.CharField()
    attempt = serializers.IntegerField()


class JudgeProgressSerializer(serializers.Serializer):
    judge = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(help_text="The judge's full name, else the username.")
    missing = serializers.IntegerField()
    cells = JudgeMissingCellSerializer(many=True)


class EntryProgressSerializer(serializers.Serializer):
    code = serializers.CharField()
    station = serializers.IntegerField(allow_null=True)
    missing = serializers.IntegerField()
    cells = MissingCellSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    missing = serializers.IntegerField()
    by_judge = JudgeProgressSerializer(many=True)
    by_entry = EntryProgressSerializer(many=True)


class VarianceAlertSerializer(serializers.Serializer):
    code = serializers.CharField()
    station = serializers.IntegerField(allow_null=True)
    criterion = serializers.CharField()
    criterion_title = serializers.CharField()
    attempt = serializers.IntegerField()
    judge = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(help_text="The judge's full name, else the username.")
    value = serializers.DecimalField(max_digits=10, decimal_places=3)
    panel_median = serializers.DecimalField(max_digits=10, decimal_places=3)
    deviation = serializers.DecimalField(max_digits=10, decimal_places=3)
