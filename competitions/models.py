"""Competitions, events, teams, contestants, entries, judge assignments and draws.

An Entry is one contestant or one team in one event; judges only ever see its
anonymous ``code`` (参赛号) and ``station`` (赛位号), both drawn by lot. A Draw row
keeps the seed and the result of every draw, so any draw can be replayed and audited.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competitions.validators import validate_id_number
from config.text import validate_line, validate_text


class Organisation(models.Model):
    """A unit: federation, district or industry union, enterprise. A tree via ``parent``."""

    class Kind(models.TextChoices):
        FEDERATION = "federation", _("总工会")
        DISTRICT = "district", _("区县工会")
        INDUSTRY = "industry", _("产业工会")
        ENTERPRISE = "enterprise", _("企业")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=120, unique=True, validators=[validate_line])
    short_name = models.CharField(_("简称"), max_length=40, blank=True, validators=[validate_line])
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Competition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        REGISTRATION = "registration", _("报名中")
        RUNNING = "running", _("进行中")
        FINISHED = "finished", _("已结束")

    class Publication(models.TextChoices):
        LIVE = "live", _("实时公布")
        FROZEN = "frozen", _("封榜")
        HIDDEN = "hidden", _("发布前隐藏")
        REVEAL = "reveal", _("颁奖揭晓")

    title = models.CharField(_("名称"), max_length=200, validators=[validate_line])
    slug = models.SlugField(_("代号"), max_length=40, unique=True, help_text=_("用于证书编号等，如 DRONE"))
    year = models.PositiveSmallIntegerField(_("年度"))
    host = models.ForeignKey(
        Organisation, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="hosted_competitions"
    )
    venue = models.CharField(_("地点"), max_length=200, blank=True, validators=[validate_line])
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    is_public = models.BooleanField(_("公开"), default=False, help_text=_("公开后，观众可以看到比赛、项目和参赛单位。"))
    publication = models.CharField(
        _("成绩公布方式"), max_length=20, choices=Publication.choices, default=Publication.LIVE
    )
    frozen_at = models.DateTimeField(_("封榜时间"), null=True, blank=True)
    forbid_conflict_of_interest = models.BooleanField(
        _("裁判回避本单位"), default=True, help_text=_("裁判不得为本单位的参赛者评分。")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("比赛")
        verbose_name_plural = _("比赛")
        ordering = ["-year", "title"]

    def __str__(self):
        return self.title


class Event(models.Model):
    """A 项目 within a competition: individual or team."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("个人")
        TEAM = "team", _("团体")

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="events"
    )
    code = models.SlugField(_("代号"), max_length=40)
    title = models.CharField(_("名称"), max_length=200, validators=[validate_line])
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    description = models.TextField(_("说明"), blank=True, max_length=2000, validators=[validate_text])
    stations = models.PositiveIntegerField(_("赛位数"), default=0, help_text=_("0 表示每个参赛者一个赛位。"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # Blind marking (DOMAIN.md, 解密): judges see only entry codes, and until the chief judge
    # decodes the event the public sees codes too. Decoding is a step of the results chain.
    blind = models.BooleanField(
        _("盲评"), default=True, help_text=_("评分时只显示参赛号；裁判长解密后才显示姓名和单位。")
    )
    decoded_at = models.DateTimeField(_("解密时间"), null=True, blank=True)
    decoded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解密人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The event's own publication policy, blank to follow its competition's. The live room
    # owns it (the chief judge freezes or reveals their event); read it through
    # ``publication_policy``, never the competition's field alone.
    publication = models.CharField(
        _("本项目成绩公布方式"),
        max_length=20,
        choices=Competition.Publication.choices,
        blank=True,
        default="",
        help_text=_("留空则随比赛的公布方式。"),
    )

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["competition", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "code"], name="event_code_unique_in_competition"),
        ]

    def __str__(self):
        return self.title

    @property
    def publication_policy(self) -> str:
        """The policy its boards follow: the event's own, else its competition's."""
        return self.publication or self.competition.publication


class Team(models.Model):
    competition = models.ForeignKey(Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="teams")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("代表单位"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("队名"), max_length=120, validators=[validate_line])

    class Meta:
        verbose_name = _("参赛队")
        verbose_name_plural = _("参赛队")
        ordering = ["competition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="team_name_unique_in_competition"),
        ]

    def __str__(self):
        return self.name


class Contestant(models.Model):
    """A person. ``phone`` and ``id_number`` are personal data: never exposed publicly."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="contestants"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="contestants"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("参赛队"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=60, validators=[validate_line])
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_id_number])
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    job_title = models.CharField(_("岗位/工种"), max_length=60, blank=True, validators=[validate_line])

    class Meta:
        verbose_name = _("参赛选手")
        verbose_name_plural = _("参赛选手")
        ordering = ["competition", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "id_number"], name="contestant_id_number_unique_in_competition"
            ),
        ]

    def __str__(self):
        return self.name


class Entry(models.Model):
    """One contestant or one team in one event, known to judges only by code and station."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已报名")
        CHECKED_IN = "checked_in", _("已检录")
        DNS = "dns", _("未出赛")
        DNF = "dnf", _("未完成")
        DSQ = "dsq", _("取消资格")

    event = models.ForeignKey(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="entries")
    contestant = models.ForeignKey(
        Contestant, verbose_name=_("选手"), null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("参赛队"), null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    code = models.CharField(_("参赛号"), max_length=20, blank=True)
    station = models.PositiveIntegerField(_("赛位号"), null=True, blank=True)
    start_order = models.PositiveIntegerField(_("出场顺序"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED)

    class Meta:
        verbose_name = _("参赛登记")
        verbose_name_plural = _("参赛登记")
        ordering = ["event", "start_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contestant__isnull=False, team__isnull=True)
                | Q(contestant__isnull=True, team__isnull=False),
                name="entry_is_contestant_xor_team",
            ),
            models.UniqueConstraint(
                fields=["event", "contestant"], condition=Q(contestant__isnull=False), name="entry_contestant_once"
            ),
            models.UniqueConstraint(fields=["event", "team"], condition=Q(team__isnull=False), name="entry_team_once"),
            models.UniqueConstraint(fields=["event", "code"], condition=~Q(code=""), name="entry_code_unique"),
            models.UniqueConstraint(
                fields=["event", "station", "start_order"],
                condition=Q(station__isnull=False),
                name="entry_station_slot_unique",
            ),
        ]

    def __str__(self):
        return self.code or f"#{self.pk}"

    @property
    def holder(self):
        return self.contestant or self.team

    @property
    def organisation_id(self):
        holder = self.holder
        return holder.organisation_id if holder else None


class JudgeAssignment(models.Model):
    """A user's role in a competition (event blank) or in one event.

    The judge's organisation is recorded for conflict of interest: with
    ``Competition.forbid_conflict_of_interest`` a judge never marks entries of it.
    """

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("组织者")
        CHIEF_JUDGE = "chief_judge", _("裁判长")
        JUDGE = "judge", _("裁判")
        # The results chain (DOMAIN.md): reviewers check sampled entries (复核); arbitrators
        # (监督仲裁组) decide appeals. Both are competition-wide or per event.
        REVIEWER = "reviewer", _("复核员")
        ARBITRATOR = "arbitrator", _("仲裁员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="assignments"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("项目"), null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="judge_assignments",
    )

    class Meta:
        verbose_name = _("裁判/工作人员分工")
        verbose_name_plural = _("裁判/工作人员分工")
        ordering = ["competition", "event", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "competition", "role"],
                condition=Q(event__isnull=True),
                name="assignment_unique_competition_role",
            ),
            models.UniqueConstraint(
                fields=["user", "event", "role"], condition=Q(event__isnull=False), name="assignment_unique_event_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class Draw(models.Model):
    """An audited draw by lot. Replaying ``seed`` over the same entries gives ``result``."""

    class Kind(models.TextChoices):
        CODE = "code", _("参赛号抽签")
        STATION = "station", _("赛位抽签")

    event = models.ForeignKey(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="draws")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    seed = models.CharField(_("随机种子"), max_length=64)
    result = models.JSONField(_("结果"), default=dict)
    reason = models.CharField(_("重新抽签原因"), max_length=200, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽签人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽签时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽签记录")
        verbose_name_plural = _("抽签记录")
        ordering = ["event", "-drawn_at", "-id"]

    def __str__(self):
        return f"{self.event} · {self.get_kind_display()}"
