"""Head-to-head events: the match configuration of an event, its groups, matches, ends and rosters.

An event is head-to-head when it has a ``MatchEvent``: the configuration lives here, in
the matches room, rather than as a format field on ``competitions.Event``, so the lower
rooms know nothing of matches. Teams, entries and contestants are the competitions
room's: a match is between two entries of the event, a roster lists contestants of the
entry's team. The bracket logic is the pure ``matches.brackets`` / ``matches.groups``;
a ``Match`` row stores where each side comes from (``home_source``), so the bracket can
always be re-resolved from the confirmed results.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competitions.models import Contestant, Entry, Event
from matches.groups import DEFAULT_TIE_RULES


class MatchEvent(models.Model):
    class Format(models.TextChoices):
        KNOCKOUT = "knockout", _("单败淘汰")
        ROUND_ROBIN = "round_robin", _("单循环")
        GROUPS_KNOCKOUT = "groups_knockout", _("小组循环 + 淘汰")

    event = models.OneToOneField(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="match_config")
    format = models.CharField(_("赛制"), max_length=20, choices=Format.choices, default=Format.GROUPS_KNOCKOUT)
    best_of = models.PositiveSmallIntegerField(_("局数（N 局 N//2+1 胜）"), default=3)
    group_count = models.PositiveSmallIntegerField(_("小组数"), default=0)
    advance_per_group = models.PositiveSmallIntegerField(_("每组出线"), default=2)
    third_place = models.BooleanField(_("三四名决赛"), default=True)
    placings_to = models.PositiveSmallIntegerField(_("排定名次至"), default=4, help_text=_("4 或 8"))
    tie_rules = models.JSONField(_("同分规则"), default=list)
    pullers = models.PositiveSmallIntegerField(_("上场人数"), default=8)
    weight_limit = models.DecimalField(
        _("上场队员体重上限（公斤，合计）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    men_required = models.PositiveSmallIntegerField(_("上场男队员人数"), null=True, blank=True)
    women_required = models.PositiveSmallIntegerField(_("上场女队员人数"), null=True, blank=True)
    courts = models.PositiveSmallIntegerField(_("场地数"), default=2)
    slot_minutes = models.PositiveSmallIntegerField(_("每场时长（分钟）"), default=15)
    starts_at = models.DateTimeField(_("首场时间"), null=True, blank=True)
    draw_seed = models.CharField(_("分组抽签种子"), max_length=64, blank=True)
    draw_result = models.JSONField(_("分组抽签结果"), default=dict, blank=True)
    lots_seed = models.CharField(_("同分抽签种子"), max_length=64, blank=True)
    seeded = models.JSONField(_("种子队（参赛登记，强者在前）"), default=list, blank=True)

    class Meta:
        verbose_name = _("对抗赛设置")
        verbose_name_plural = _("对抗赛设置")

    def __str__(self):
        return str(self.event)

    @property
    def rules(self) -> list[str]:
        return list(self.tie_rules or DEFAULT_TIE_RULES)


class Group(models.Model):
    match_event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="groups")
    label = models.CharField(_("组别"), max_length=4)
    entries = models.ManyToManyField(Entry, related_name="+", through="GroupMember")

    class Meta:
        verbose_name = _("小组")
        verbose_name_plural = _("小组")
        ordering = ["match_event", "label"]
        constraints = [models.UniqueConstraint(fields=["match_event", "label"], name="group_label_unique")]

    def __str__(self):
        return self.label


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group", "position"]
        constraints = [models.UniqueConstraint(fields=["group", "entry"], name="group_member_once")]

    def __str__(self):
        return f"{self.group_id}:{self.entry_id}"


class Match(models.Model):
    class Stage(models.TextChoices):
        GROUP = "group", _("小组赛")
        KNOCKOUT = "knockout", _("淘汰赛")

    class Status(models.TextChoices):
        PENDING = "pending", _("待定")
        SCHEDULED = "scheduled", _("待赛")
        PLAYING = "playing", _("进行中")
        DECIDED = "decided", _("待裁判长确认")
        CONFIRMED = "confirmed", _("已确认")
        BYE = "bye", _("轮空")

    class Outcome(models.TextChoices):
        PLAYED = "played", _("正常比赛")
        WALKOVER = "walkover", _("对方弃权（不战而胜）")
        FORFEIT = "forfeit", _("中途弃赛")
        DSQ = "dsq", _("对方取消资格")

    match_event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="matches")
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True, related_name="matches")
    key = models.CharField(_("场次代号"), max_length=20)
    round = models.PositiveSmallIntegerField(_("轮次"))
    number = models.PositiveSmallIntegerField(_("场序"))
    placing = models.PositiveSmallIntegerField(_("决定名次"), null=True, blank=True)
    home_source = models.JSONField(default=dict, blank=True)
    away_source = models.JSONField(default=dict, blank=True)
    home = models.ForeignKey(Entry, on_delete=models.RESTRICT, null=True, blank=True, related_name="+")
    away = models.ForeignKey(Entry, on_delete=models.RESTRICT, null=True, blank=True, related_name="+")
    court = models.PositiveSmallIntegerField(_("场地"), null=True, blank=True)
    starts_at = models.DateTimeField(_("时间"), null=True, blank=True)
    order = models.PositiveIntegerField(_("赛程顺序"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(_("结果方式"), max_length=10, choices=Outcome.choices, default=Outcome.PLAYED)
    winner = models.ForeignKey(Entry, on_delete=models.RESTRICT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("比赛场次")
        verbose_name_plural = _("比赛场次")
        ordering = ["match_event", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["match_event", "key"], name="match_key_unique")]

    def __str__(self):
        return self.key


class End(models.Model):
    """One end (局) of a match: who won it, and the score where the game has one."""

    class Side(models.TextChoices):
        HOME = "home", _("主方")
        AWAY = "away", _("客方")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="ends")
    number = models.PositiveSmallIntegerField(_("局"))
    winner = models.CharField(_("胜方"), max_length=4, choices=Side.choices)
    home_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    away_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("局")
        verbose_name_plural = _("局")
        ordering = ["match", "number"]
        constraints = [models.UniqueConstraint(fields=["match", "number"], name="end_number_once")]

    def __str__(self):
        return f"{self.match_id}/{self.number}"


class MatchAudit(models.Model):
    """Append-only: every end recorded, every confirmation, walkover and correction, with the reason."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.CharField(max_length=200, blank=True)
    device = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["match", "at", "id"]

    def __str__(self):
        return f"{self.match_id} {self.action}"


class RosterMember(models.Model):
    """A contestant on a team entry's roster: a puller or a substitute, with the weigh-in weight."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="roster")
    contestant = models.ForeignKey(Contestant, on_delete=models.CASCADE, related_name="+")
    substitute = models.BooleanField(_("替补"), default=False)
    weight = models.DecimalField(_("体重（公斤）"), max_digits=5, decimal_places=1, null=True, blank=True)
    weighed_at = models.DateTimeField(_("称重时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("队员名单")
        verbose_name_plural = _("队员名单")
        ordering = ["entry", "substitute", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "contestant"], name="roster_member_once"),
            models.CheckConstraint(condition=Q(weight__isnull=True) | Q(weight__gt=0), name="roster_weight_positive"),
        ]

    def __str__(self):
        return f"{self.entry_id}:{self.contestant_id}"
