"""Admin: judges' one-time login QR codes, issued (and printed) per competition, revoked or re-issued."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competitions.models import JudgeAssignment
from competitions.selectors import competitions_managed_by
from judging.login_codes import login_code_issue, login_code_revoke, login_code_svg
from judging.models import LoginCode


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
    return render(request, "judging/login_codes_print.html", {"cards": cards, "title": title})


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    """Codes are issued (and printed) from the "issue" page or the re-issue action, never typed in."""

    list_display = ["user", "created_at", "expires_at", "used_at", "revoked_at", "issued_by"]
    list_select_related = ["user", "issued_by"]
    list_filter = ["used_at", "revoked_at"]
    search_fields = ["user__username"]
    actions = ["revoke", "reissue"]
    change_list_template = "judging/login_code_changelist.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        issue = path("issue/", self.admin_site.admin_view(self.issue_view), name="judging_logincode_issue")
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
        return render(request, "judging/login_code_issue.html", context)

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
