"""Forms of the console's judge pages (``judging.views_console``)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from competitions.console_forms import ConsoleForm
from competitions.models import JudgeAssignment, Organisation
from config.text import validate_line

JUDGING_ROLES = [
    (JudgeAssignment.Role.JUDGE, JudgeAssignment.Role.JUDGE.label),
    (JudgeAssignment.Role.CHIEF_JUDGE, JudgeAssignment.Role.CHIEF_JUDGE.label),
]


class _AssignmentFields(ConsoleForm, forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=JUDGING_ROLES, initial=JudgeAssignment.Role.JUDGE)
    event = forms.ModelChoiceField(
        label=_("项目"),
        queryset=None,
        required=False,
        empty_label=_("全部项目"),
        help_text=_("留空表示本比赛的全部项目。"),
    )
    organisation = forms.ModelChoiceField(
        label=_("所在单位"),
        queryset=None,
        required=False,
        help_text=_("用于回避：裁判不为本单位的参赛者评分。"),
    )

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.competition = competition
        self.fields["event"].queryset = competition.events.order_by("position", "id")
        # Every unit: units are shared, and a judge's own unit may take no part in this competition.
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")


class JudgeAccountForm(_AssignmentFields):
    username = forms.CharField(
        label=_("用户名"),
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("只能使用字母、数字和 _ . -"), code="username_chars")],
        help_text=_("裁判用登录二维码登录，不需要密码。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=60, validators=[validate_line])
    field_order = ["username", "name", "role", "event", "organisation"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("这个用户名已被使用。"), code="username_taken")
        return username


def _judge_label(user) -> str:
    return f"{user.get_full_name() or user.username} ({user.username})"


class AssignmentForm(_AssignmentFields):
    user = forms.ModelChoiceField(label=_("裁判"), queryset=None)
    field_order = ["user", "role", "event", "organisation"]

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, competition=competition, **kwargs)
        judging = JudgeAssignment.objects.filter(competition=competition, role__in=[r for r, _label in JUDGING_ROLES])
        self.fields["user"].queryset = (
            get_user_model().objects.filter(pk__in=judging.values("user")).order_by("username")
        )
        self.fields["user"].label_from_instance = _judge_label

    def clean(self):
        data = super().clean()
        user, event, role = data.get("user"), data.get("event"), data.get("role")
        if user and role:
            taken = JudgeAssignment.objects.filter(user=user, competition=self.competition, event=event, role=role)
            if taken.exists():
                self.add_error("event", _("这位裁判已有这项分工。"))
        return data


class LoginCodesForm(ConsoleForm, forms.Form):
    hours = forms.IntegerField(label=_("有效小时数"), min_value=1, max_value=24 * 14, initial=24)
    event = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False, empty_label=_("全部项目"))

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = competition.events.order_by("position", "id")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("我确认删除"), required=True)
