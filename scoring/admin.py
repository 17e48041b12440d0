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

    fields = ["position", "code", "title", "kind", "min_value", "max_value", "weight", "step", "aggregation", "trim"]
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


# --------------------------------------------------------------------------
# One-time login QR codes for judges' tablets (scoring.login_codes)

from datetime import timedelta  # noqa: E402 - appended section, keeps the code above untouched

from django import forms  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from competitions.models import JudgeAssignment  # noqa: E402
from competitions.selectors import competitions_managed_by  # noqa: E402
from scoring.login_codes import login_code_issue, login_code_revoke, login_code_svg  # noqa: E402
from scoring.models import LoginCode  # noqa: E402


class LoginCodeIssueForm(forms.Form):
    competition = forms.ModelChoiceField(label=gettext_lazy("比赛"), queryset=None)
    hours = forms.IntegerField(label=gettext_lazy("有效小时数"), min_value=1, max_value=24 * 14, initial=24)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competition"].queryset = competitions_managed_by(user).order_by("-year", "title")


def _print_codes(request, users, hours: int, title: str):
    cards = []
    for user in users:
        code, token = login_code_issue(user=user, issued_by=request.user, valid_for=timedelta(hours=hours))
        url = request.build_absolute_uri(reverse("tablet:code-login", args=[token]))
        cards.append({"user": user, "code": code, "url": url, "svg": login_code_svg(url)})
    return render(request, "scoring/tablet/login_codes_print.html", {"cards": cards, "title": title})


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    """Codes are issued (and printed) from the "issue" page or the re-issue action, never typed in."""

    list_display = ["user", "created_at", "expires_at", "used_at", "revoked_at", "issued_by"]
    list_select_related = ["user", "issued_by"]
    list_filter = ["used_at", "revoked_at"]
    search_fields = ["user__username"]
    actions = ["revoke", "reissue"]
    change_list_template = "scoring/tablet/login_code_changelist.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        issue = path("issue/", self.admin_site.admin_view(self.issue_view), name="scoring_logincode_issue")
        return [issue, *super().get_urls()]

    def issue_view(self, request):
        """Print one code for every judge and chief judge of a competition the user organises."""
        form = LoginCodeIssueForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            competition = form.cleaned_data["competition"]
            users = [
                a.user
                for a in JudgeAssignment.objects.filter(
                    competition=competition,
                    role__in=[JudgeAssignment.Role.JUDGE, JudgeAssignment.Role.CHIEF_JUDGE],
                    user__is_active=True,
                )
                .select_related("user")
                .order_by("user__username")
            ]
            users = list({u.pk: u for u in users}.values())
            return _print_codes(request, users, form.cleaned_data["hours"], str(competition))
        context = {**self.admin_site.each_context(request), "form": form, "title": _("打印裁判登录二维码")}
        return render(request, "scoring/tablet/login_code_issue.html", context)

    @admin.action(description=gettext_lazy("撤销所选登录二维码"))
    def revoke(self, request, queryset):
        for code in queryset:
            login_code_revoke(code=code)
        self.message_user(request, _("已撤销 %(count)d 个登录二维码。") % {"count": queryset.count()})

    @admin.action(description=gettext_lazy("撤销并为所选用户重新打印"))
    def reissue(self, request, queryset):
        users = {}
        for code in queryset.select_related("user"):
            login_code_revoke(code=code)
            users[code.user_id] = code.user
        return _print_codes(request, list(users.values()), 24, _("重新签发"))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        managed = competitions_managed_by(request.user)
        return queryset.filter(user__assignments__competition__in=managed).distinct()
