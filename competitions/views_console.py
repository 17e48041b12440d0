"""The organiser console: set up a competition, its events, units, teams and contestants.

Not the Django admin (which stays for staff): every page here is scoped to one
competition its user organises, and asks ``selectors.is_organiser`` before anything
else (anonymous users go to the login page; anyone else gets a 403). The marking-scheme
builder lives in ``scoring.views_console`` and the judge accounts in
``judging.views_console``, the rooms whose rules they use; the pages link to each other
by URL name only.

Who may create a competition: a signed-in user who holds the
``competitions.add_competition`` permission (superusers do), any staff user (as the API's
``IsStaffToCreate`` allows), or someone who already organises a competition. The creator
becomes its organiser (``services.competition_create``).

The four lists (events, units, teams, contestants) share one set of views driven by a
``Section``: list with search and an empty state, a form page, and deletion behind a
confirmation. A refused deletion (marks, entries or teams still point at the row) says
what still uses it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from competitions import console_forms, console_selectors, console_services, selectors, services
from competitions.models import Competition, JudgeAssignment, Organisation
from config.errors import DomainError

PAGE_SIZE = 50


def can_create_competition(user) -> bool:
    """See the module docstring: staff, the permission (directly or through a group), or organising one already.

    One query (the navigation asks on every page a signed-in user opens).
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser:
        return True
    organises = JudgeAssignment.objects.filter(
        user=OuterRef("pk"), role=JudgeAssignment.Role.ORGANISER, event__isnull=True
    )
    may_add = Permission.objects.filter(content_type__app_label="competitions", codename="add_competition").filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    )
    return get_user_model().objects.filter(pk=user.pk).filter(Exists(organises) | Exists(may_add)).exists()


def organised_competition(request, pk) -> Competition:
    """The competition ``pk`` if the user organises it: 404 if it does not exist, 403 otherwise."""
    competition = get_object_or_404(Competition.objects.select_related("host"), pk=pk)
    if not selectors.is_organiser(request.user, competition):
        raise PermissionDenied
    return competition


def refusal_reason(exc: DomainError) -> str:
    """Why a deletion was refused, naming what still uses the row when the database told us."""
    cause = exc.__cause__
    objects = getattr(cause, "protected_objects", None)
    if not objects:
        return str(exc.message)
    names = sorted({str(capfirst(obj._meta.verbose_name)) for obj in objects})
    return _("不能删除：仍有%(things)s引用它（例如已有评分或参赛登记）。") % {"things": "、".join(names)}


def form_error_from(form, exc: DomainError) -> None:
    """Put a service's error on the field it names, else on the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


# --------------------------------------------------------------------------
# Competitions


@login_required
def console_home(request):
    competitions = (
        selectors.competitions_managed_by(request.user)
        .select_related("host")
        .annotate(event_count=Count("events", distinct=True))
        .order_by("-year", "title")
    )
    can_create = can_create_competition(request.user)
    if not can_create and not competitions:
        raise PermissionDenied
    return render(request, "competitions/console/home.html", {"competitions": competitions, "can_create": can_create})


def _competition_fields(form) -> dict:
    data = dict(form.cleaned_data)
    new_host = data.pop("new_host", "")
    if not data.get("host") and new_host:
        data["host"] = Organisation.objects.filter(name=new_host).first() or services.organisation_save(
            name=new_host, kind=Organisation.Kind.FEDERATION
        )
    return data


@login_required
@require_http_methods(["GET", "POST"])
def competition_create(request):
    if not can_create_competition(request.user):
        raise PermissionDenied
    form = console_forms.CompetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            competition = services.competition_create(created_by=request.user, **_competition_fields(form))
        messages.success(request, _("比赛已创建。下一步：添加项目。"))
        return redirect("console-competition", pk=competition.pk)
    status = 400 if form.errors else 200
    return render(request, "competitions/console/competition_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def competition_edit(request, pk):
    competition = organised_competition(request, pk)
    form = console_forms.CompetitionForm(request.POST or None, instance=competition)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for name, value in _competition_fields(form).items():
                setattr(competition, name, value)
            competition.save()
        messages.success(request, _("已保存。"))
        return redirect("console-competition", pk=competition.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "competition": competition}
    return render(request, "competitions/console/competition_form.html", context, status=status)


@login_required
def competition_dashboard(request, pk):
    competition = organised_competition(request, pk)
    events = competition.events.annotate(entry_count=Count("entries")).order_by("position", "id")
    roles = JudgeAssignment.objects.filter(competition=competition)
    context = {
        "tab": "overview",
        "competition": competition,
        "events": events,
        "counts": {
            "units": console_selectors.units_of(competition).count(),
            "teams": competition.teams.count(),
            "contestants": competition.contestants.count(),
            "judges": roles.filter(role__in=[JudgeAssignment.Role.JUDGE, JudgeAssignment.Role.CHIEF_JUDGE])
            .values("user")
            .distinct()
            .count(),
        },
    }
    return render(request, "competitions/console/dashboard.html", context)


# --------------------------------------------------------------------------
# Events, units, teams, contestants


def _always(obj) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    singular: str
    form: type
    columns: tuple[tuple[str, Callable], ...]
    search: tuple[str, ...]
    queryset: Callable
    save: Callable
    editable: Callable = _always


def _event_save(competition, form, instance):
    return services.event_save(event=instance, competition=competition, **form.cleaned_data)


def _unit_save(competition, form, instance):
    return services.organisation_save(organisation=instance, **form.cleaned_data)


def _team_save(competition, form, instance):
    return console_services.team_save(competition=competition, team=instance, **form.cleaned_data)


def _contestant_save(competition, form, instance):
    return console_services.contestant_save_with_events(
        competition=competition, contestant=instance, **form.cleaned_data
    )


def _events(competition):
    return competition.events.annotate(entry_count=Count("entries")).order_by("position", "id")


def _units(competition):
    return (
        console_selectors.units_of(competition)
        .select_related("parent")
        .annotate(shared=console_selectors.used_elsewhere(competition))
        .order_by("name")
    )


def _teams(competition):
    return competition.teams.select_related("organisation").annotate(member_count=Count("members")).order_by("name")


def _contestants(competition):
    return competition.contestants.select_related("organisation", "team").order_by("name", "id")


SECTIONS = {
    "events": Section(
        key="events",
        title=gettext_lazy("项目"),
        singular=gettext_lazy("项目"),
        form=console_forms.EventForm,
        columns=(
            (gettext_lazy("代号"), lambda e: e.code),
            (gettext_lazy("名称"), lambda e: e.title),
            (gettext_lazy("类型"), lambda e: e.get_kind_display()),
            (gettext_lazy("报名数"), lambda e: e.entry_count),
        ),
        search=("title__icontains", "code__icontains"),
        queryset=_events,
        save=_event_save,
    ),
    "units": Section(
        key="units",
        title=gettext_lazy("参赛单位"),
        singular=gettext_lazy("单位"),
        form=console_forms.OrganisationForm,
        columns=(
            (gettext_lazy("名称"), lambda o: o.name),
            (gettext_lazy("简称"), lambda o: o.short_name),
            (gettext_lazy("类型"), lambda o: o.get_kind_display()),
            (gettext_lazy("上级单位"), lambda o: o.parent.name if o.parent else ""),
        ),
        search=("name__icontains", "short_name__icontains"),
        queryset=_units,
        save=_unit_save,
        editable=lambda o: not getattr(o, "shared", False),
    ),
    "teams": Section(
        key="teams",
        title=gettext_lazy("参赛队"),
        singular=gettext_lazy("参赛队"),
        form=console_forms.TeamForm,
        columns=(
            (gettext_lazy("队名"), lambda t: t.name),
            (gettext_lazy("代表单位"), lambda t: t.organisation.name),
            (gettext_lazy("队员数"), lambda t: t.member_count),
        ),
        search=("name__icontains", "organisation__name__icontains"),
        queryset=_teams,
        save=_team_save,
    ),
    "contestants": Section(
        key="contestants",
        title=gettext_lazy("参赛选手"),
        singular=gettext_lazy("选手"),
        form=console_forms.ContestantForm,
        columns=(
            (gettext_lazy("姓名"), lambda c: c.name),
            (gettext_lazy("单位"), lambda c: c.organisation.name),
            (gettext_lazy("参赛队"), lambda c: c.team.name if c.team else ""),
            (gettext_lazy("岗位/工种"), lambda c: c.job_title),
        ),
        search=("name__icontains", "organisation__name__icontains", "job_title__icontains"),
        queryset=_contestants,
        save=_contestant_save,
    ),
}


def _section(key: str) -> Section:
    if key not in SECTIONS:
        raise Http404
    return SECTIONS[key]


def _form_for(section: Section, competition: Competition, data=None, instance=None):
    kwargs = {"instance": instance}
    if section.form is not console_forms.OrganisationForm:
        kwargs["competition"] = competition
    return section.form(data, **kwargs)


@login_required
def section_list(request, pk, section):
    competition = organised_competition(request, pk)
    section = _section(section)
    rows = section.queryset(competition)
    # Cut and cleaned: a NUL byte would be a database error on PostgreSQL, not a search.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:60]
    if query:
        match = Q()
        for lookup in section.search:
            match |= Q(**{lookup: query})
        rows = rows.filter(match)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    table = [(obj, [column(obj) for _label, column in section.columns], section.editable(obj)) for obj in page]
    context = {"competition": competition, "section": section, "page": page, "table": table, "query": query}
    return render(request, "competitions/console/section_list.html", context)


def _instance(section: Section, competition: Competition, obj_pk):
    if obj_pk is None:
        return None
    instance = section.queryset(competition).filter(pk=obj_pk).first()
    if instance is None:
        raise Http404
    if not section.editable(instance):
        raise PermissionDenied
    return instance


@login_required
@require_http_methods(["GET", "POST"])
def section_form(request, pk, section, obj_pk=None):
    competition = organised_competition(request, pk)
    section = _section(section)
    instance = _instance(section, competition, obj_pk)
    form = _form_for(section, competition, request.POST or None, instance)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    # The form has already written its values onto ``instance``; the service compares
                    # against the stored row (an event's kind cannot change once it has entries).
                    stored = type(instance).objects.get(pk=instance.pk) if instance else None
                    section.save(competition, form, stored)
            except DomainError as exc:
                form_error_from(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("console-section", pk=competition.pk, section=section.key)
        status = 400
    context = {"competition": competition, "section": section, "form": form, "instance": instance}
    return render(request, "competitions/console/section_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def section_delete(request, pk, section, obj_pk):
    competition = organised_competition(request, pk)
    section = _section(section)
    instance = _instance(section, competition, obj_pk)
    form = console_forms.DeleteForm(request.POST or None)
    status = 200
    refusal = None
    if request.method == "POST":
        if form.is_valid():
            try:
                console_services.console_object_delete(instance=instance)
            except DomainError as exc:
                refusal = refusal_reason(exc)
                status = exc.status
            else:
                messages.success(request, _("已删除。"))
                return redirect("console-section", pk=competition.pk, section=section.key)
        else:
            status = 400
    context = {
        "competition": competition,
        "section": section,
        "form": form,
        "instance": instance,
        "refusal": refusal,
    }
    return render(request, "competitions/console/section_delete.html", context, status=status)
