"""Django admin for the competitions app.

Admin access is for staff, with Django's model permissions as usual. On top of that,
a staff organiser sees only the competitions they organise (``competitions_managed_by``),
and everything in them, in every list and in every foreign-key choice. Superusers see all.
Writes that carry cross-object rules go through ``competitions.services``.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from competitions import services
from competitions.models import Competition, Contestant, Draw, Entry, Event, JudgeAssignment, Organisation, Team
from competitions.selectors import competitions_managed_by
from config.errors import DomainError

# Filter choices from the (scoped) list only: the plain filter would name every competition.
ONLY_LISTED = admin.RelatedOnlyFieldListFilter


def _check(service, instance, form):
    """Run a setup service's rule check on a form, turning a DomainError into a field error."""
    try:
        service(instance)
    except DomainError as exc:
        raise ValidationError({exc.field: exc.message} if exc.field in form.fields else exc.message) from exc


class ScopedChoicesMixin:
    """Offer only the managed competitions (and their events, teams, contestants) as choices."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            managed = competitions_managed_by(request.user)
            model = db_field.related_model
            if model is Competition:
                kwargs["queryset"] = managed
            elif model in (Event, Team, Contestant):
                kwargs["queryset"] = model.objects.filter(competition__in=managed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedAdminMixin(ScopedChoicesMixin):
    """List only the objects of the competitions the user manages."""

    # ORM path from this model to its competition.
    competition_path = "competition"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.competition_path}__in": competitions_managed_by(request.user)})


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]


class EventInline(ScopedInline):
    model = Event
    fields = ["position", "code", "title", "kind", "stations"]


class JudgeAssignmentForm(forms.ModelForm):
    class Meta:
        model = JudgeAssignment
        fields = ["user", "competition", "event", "role", "organisation"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("competition") is not None and cleaned.get("role"):
            names = ("competition", "event", "role")
            assignment = JudgeAssignment(**{name: cleaned.get(name) for name in names})
            _check(services.judge_assignment_check, assignment, self)
        return cleaned


class JudgeAssignmentInline(ScopedInline):
    model = JudgeAssignment
    form = JudgeAssignmentForm
    fields = ["user", "event", "role", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Competition)
class CompetitionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    competition_path = "pk"
    list_display = ["title", "slug", "year", "host", "status", "is_public", "publication"]
    list_filter = ["status", "is_public", "publication", "year"]
    search_fields = ["title", "slug", "host__name"]
    autocomplete_fields = ["host"]
    date_hierarchy = "starts_on"
    inlines = [EventInline, JudgeAssignmentInline]
    # Live owns the publication policy (freeze snapshot, reveal, screens told): it is changed
    # under 实时成绩 › 成绩公布 (``live.admin``), never by saving this form.
    readonly_fields = ["publication", "frozen_at"]

    def has_add_permission(self, request):
        return request.user.is_staff and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new competition gets its creator as organiser, as through the API.
        fields = {f.attname: getattr(obj, f.attname) for f in Competition._meta.concrete_fields if f.editable}
        fields.pop("id", None)
        created = services.competition_create(created_by=request.user, **fields)
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding, obj._state.db = False, created._state.db


@admin.register(Event)
class EventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "code", "competition", "kind", "stations", "position"]
    list_filter = ["kind", ("competition", ONLY_LISTED)]
    search_fields = ["title", "code", "competition__title"]
    list_select_related = ["competition"]
    # Decoding (解密) is an audited step of the results chain, never an edit. The event's own
    # publication is live's (its chief judge's control takes the freeze snapshot and tells the screens).
    readonly_fields = ["decoded_at", "decoded_by", "publication"]


class ContestantInline(ScopedInline):
    model = Contestant
    fields = ["name", "gender", "id_number", "organisation", "job_title"]
    autocomplete_fields = ["organisation"]


@admin.register(Team)
class TeamAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "competition", "organisation"]
    list_filter = [("competition", ONLY_LISTED)]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["competition", "organisation"]
    inlines = [ContestantInline]

    def save_formset(self, request, form, formset, change):
        # Members added inline belong to the team's competition.
        for inline_form in formset.forms:
            if isinstance(inline_form.instance, Contestant) and inline_form.instance.competition_id is None:
                inline_form.instance.competition = form.instance.competition
        super().save_formset(request, form, formset, change)


class ContestantForm(forms.ModelForm):
    class Meta:
        model = Contestant
        fields = ["competition", "organisation", "team", "name", "gender", "id_number", "phone", "job_title"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("competition") is not None:
            contestant = Contestant(competition=cleaned["competition"], team=cleaned.get("team"))
            _check(services.contestant_check_team, contestant, self)
        return cleaned


@admin.register(Contestant)
class ContestantAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ContestantForm
    list_display = ["name", "competition", "organisation", "team", "gender", "job_title"]
    list_filter = [("competition", ONLY_LISTED), "gender"]
    search_fields = ["name", "id_number", "phone", "organisation__name"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["team"]
    list_select_related = ["competition", "organisation", "team"]


class EntryForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = ["event", "contestant", "team", "code", "station", "start_order", "status"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("event") is not None:
            entry = Entry(**{name: cleaned.get(name) for name in ("event", "contestant", "team")})
            _check(services.entry_check_holder, entry, self)
        return cleaned


@admin.register(Entry)
class EntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = EntryForm
    competition_path = "event__competition"
    list_display = ["__str__", "event", "contestant", "team", "station", "start_order", "status"]
    list_filter = ["status", ("event__competition", ONLY_LISTED), ("event", ONLY_LISTED)]
    search_fields = ["code", "contestant__name", "team__name"]
    raw_id_fields = ["contestant", "team"]
    list_select_related = ["event", "contestant", "team"]


@admin.register(JudgeAssignment)
class JudgeAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = JudgeAssignmentForm
    list_display = ["user", "competition", "event", "role", "organisation"]
    list_filter = ["role", ("competition", ONLY_LISTED)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "competition", "event", "organisation"]


@admin.register(Draw)
class DrawAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Draws are audit records: readable here, made only by the draw service."""

    competition_path = "event__competition"
    list_display = ["event", "kind", "seed", "drawn_by", "drawn_at", "reason"]
    list_filter = ["kind", ("event__competition", ONLY_LISTED)]
    search_fields = ["seed", "event__title"]
    list_select_related = ["event", "drawn_by"]
    readonly_fields = ["event", "kind", "seed", "result", "reason", "drawn_by", "drawn_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
