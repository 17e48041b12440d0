"""Admin: schemes are edited with their criteria inline until marks exist; marks, history and audits are read-only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from scoring.models import (
    Appeal,
    Criterion,
    EventStandingsVersion,
    Mark,
    MarkHistory,
    MarkingScheme,
    SchemeRevision,
    Sheet,
    SheetAudit,
)
from scoring.selectors import scheme_problems


def _scheme_has_marks(scheme) -> bool:
    return scheme is not None and scheme.pk is not None and Mark.objects.filter(criterion__scheme=scheme).exists()


class CriterionFormSet(BaseInlineFormSet):
    """Check the scheme and its criteria together with the same pure rules as the API."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        criteria = [
            form.instance for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        problems = scheme_problems(self.instance, criteria)
        if problems:
            raise ValidationError([f"{problem.field}: {problem.message}" for problem in problems])


class CriterionInline(admin.TabularInline):
    """Criteria are edited with their scheme, until the first mark; then only a revision (API) changes them."""

    model = Criterion
    formset = CriterionFormSet
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _scheme_has_marks(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _scheme_has_marks(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _scheme_has_marks(obj)

    fields = [
        "position",
        "code",
        "title",
        "title_en",
        "kind",
        "min_value",
        "max_value",
        "weight",
        "step",
        "aggregation",
        "trim",
    ]
    fields += ["attempts", "attempt_multipliers", "attempts_combine", "part", "penalty_per_unit"]


@admin.register(MarkingScheme)
class MarkingSchemeAdmin(admin.ModelAdmin):
    list_display = ["event", "revision", "ranking", "tie_break", "award_mode"]
    list_select_related = ["event"]
    readonly_fields = ["revision"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _scheme_has_marks(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _scheme_has_marks(obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mark)
class MarkAdmin(ReadOnlyAdmin):
    list_display = ["entry", "criterion", "judge", "attempt", "value", "penalty", "status", "version", "updated_at"]
    list_select_related = ["entry", "criterion", "judge"]
    list_filter = ["status"]


@admin.register(MarkHistory)
class MarkHistoryAdmin(ReadOnlyAdmin):
    list_display = ["mark", "version", "actor", "old_value", "new_value", "new_status", "reason", "created_at"]
    list_select_related = ["mark", "actor"]


@admin.register(Sheet)
class SheetAdmin(ReadOnlyAdmin):
    list_display = ["entry", "judge", "state", "submitted_at", "locked_by", "locked_at"]
    list_select_related = ["entry", "judge", "locked_by"]
    list_filter = ["state"]


@admin.register(SheetAudit)
class SheetAuditAdmin(ReadOnlyAdmin):
    list_display = ["sheet", "action", "from_state", "to_state", "reason", "actor", "created_at"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["entry", "status", "filed_by", "filed_at", "decided_by", "decided_at"]
    list_filter = ["status"]


@admin.register(SchemeRevision)
class SchemeRevisionAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "revision", "reason", "revised_by", "revised_at"]


@admin.register(EventStandingsVersion)
class EventStandingsVersionAdmin(ReadOnlyAdmin):
    list_display = ["event", "version", "updated_at"]
