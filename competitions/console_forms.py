"""Forms of the organiser console (``competitions.views_console``).

Model forms give each field its label, its length cap and its validators (``validate_line``
and the ID-number check) from the models, so a bad value comes back as a field error.
Rules that join several objects stay in ``competitions.services``; the views turn their
``DomainError`` into an error on the field it names.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Contestant, Event, Organisation, Team


def label_blank_choices(form) -> None:
    """Name the empty choice of each select in Chinese (Django's own label is not translated into Chinese)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
            if field.empty_label is not None and str(field.empty_label) in ("---------", "- Select an option -"):
                field.empty_label = _("请选择")
        elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
            field.choices = [("", _("请选择")), *field.choices[1:]]


def _bounded(value):
    """An id beyond 64 bits becomes 0 (no such row: "invalid choice"); the database would overflow on it."""
    digits = value.strip().lstrip("-") if isinstance(value, str) else ""
    return "0" if digits.isdigit() and len(digits) > 18 else value


class ConsoleForm:
    """Mixin: the console's conventions for every form (blank choices named in Chinese, ids within 64 bits)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_blank_choices(self)
        if self.is_bound and hasattr(self.data, "getlist"):
            data = self.data.copy()
            for name, field in self.fields.items():
                key = self.add_prefix(name)
                if isinstance(field, forms.ModelChoiceField) and key in data:
                    data.setlist(key, [_bounded(value) for value in data.getlist(key)])
            self.data = data


class DateInput(forms.DateInput):
    input_type = "date"


class CompetitionForm(ConsoleForm, forms.ModelForm):
    """The competition's own fields. Not its publication policy: live owns that (PUT .../publication/)."""

    class Meta:
        model = Competition
        fields = [
            "title",
            "slug",
            "year",
            "host",
            "venue",
            "starts_on",
            "ends_on",
            "status",
            "is_public",
            "forbid_conflict_of_interest",
        ]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    field_order = ["title", "slug", "year", "host", "new_host"]

    # An organiser starting from nothing has no unit to pick as host yet: they may name one.
    new_host = forms.CharField(
        label=_("或新建主办单位"),
        max_length=120,
        required=False,
        validators=Organisation._meta.get_field("name").validators,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].required = False

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("年度应在 2000 到 2100 之间。"), code="year_range")
        return year

    def clean(self):
        data = super().clean()
        if not data.get("host") and not data.get("new_host") and "host" not in self.errors:
            self.add_error("host", _("请选择主办单位，或填写新建主办单位的名称。"))
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class EventForm(ConsoleForm, forms.ModelForm):
    class Meta:
        model = Event
        fields = ["code", "title", "kind", "description", "stations", "position", "blind"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.competition = competition
        self.instance.competition = competition

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Event.objects.filter(competition=self.competition, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("本比赛已有这个代号的项目。"), code="unique")
        return code


class OrganisationForm(ConsoleForm, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "parent"]
        error_messages = {"name": {"unique": _("已有同名单位：添加选手、参赛队或裁判时可以直接选择它。")}}


class TeamForm(ConsoleForm, forms.ModelForm):
    events = forms.ModelMultipleChoiceField(
        label=_("参加项目"), queryset=Event.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Team
        fields = ["name", "organisation"]

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.competition = competition
        self.instance.competition = competition
        self.fields["events"].queryset = competition.events.filter(kind=Event.Kind.TEAM)
        if self.instance.pk:
            self.initial["events"] = list(self.instance.entries.values_list("event_id", flat=True))

    def clean_name(self):
        name = self.cleaned_data["name"]
        if Team.objects.filter(competition=self.competition, name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("本比赛已有这个队名。"), code="unique")
        return name


class ContestantForm(ConsoleForm, forms.ModelForm):
    events = forms.ModelMultipleChoiceField(
        label=_("参加项目"), queryset=Event.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Contestant
        fields = ["name", "gender", "organisation", "team", "id_number", "phone", "job_title"]

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.competition = competition
        self.instance.competition = competition
        self.fields["team"].queryset = competition.teams.all()
        self.fields["events"].queryset = competition.events.filter(kind=Event.Kind.INDIVIDUAL)
        if self.instance.pk:
            self.initial["events"] = list(self.instance.entries.values_list("event_id", flat=True))

    def clean_id_number(self):
        id_number = self.cleaned_data["id_number"].upper()
        taken = Contestant.objects.filter(competition=self.competition, id_number=id_number)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("本比赛已有这个身份证号的选手。"), code="unique")
        return id_number


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(label=_("我确认删除"), required=True)
