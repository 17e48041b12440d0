"""Marking schemes, marks, their history, sheets and appeals.

A Mark is one row per (entry, criterion, judge, attempt), enforced by the database,
written by upsert. Every write appends a MarkHistory row; history is append-only.
The pure arithmetic lives in ``scoring.aggregation`` / ``scoring.standings``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from competitions.models import Entry, Event

D = Decimal


class MarkingScheme(models.Model):
    """An event's criteria plus its ranking, tie-break and award policy."""

    class Ranking(models.TextChoices):
        SCORE_DESC = "score_desc", _("得分高者优先")
        TIME_ASC = "time_asc", _("用时少者优先")

    class TieBreak(models.TextChoices):
        SHARED = "shared", _("并列名次")
        COUNTBACK_CRITERIA = "countback_criteria", _("按评分项顺序比较")
        COUNTBACK_TIME = "countback_time", _("按用时比较")

    class RankStyle(models.TextChoices):
        STANDARD = "standard", _("标准（1、2、2、4）")
        DENSE = "dense", _("紧密（1、2、2、3）")

    class AwardMode(models.TextChoices):
        COUNTS = "counts", _("固定名额")
        PERCENT = "percent", _("按比例")

    class PercentRounding(models.TextChoices):
        ROUND_HALF_UP = "round_half_up", _("四舍五入")
        FLOOR = "floor", _("向下取整")
        CEIL = "ceil", _("向上取整")

    class TeamMethod(models.TextChoices):
        SUM = "sum", _("成员成绩之和")
        BEST_N = "best_n", _("最好的 N 名成员之和")

    event = models.OneToOneField(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="scheme")
    revision = models.PositiveIntegerField(_("修订版本"), default=1)
    theory_weight = models.DecimalField(_("理论权重"), max_digits=5, decimal_places=4, default=D("0"))
    practical_weight = models.DecimalField(_("实操权重"), max_digits=5, decimal_places=4, default=D("1"))
    decimals = models.PositiveSmallIntegerField(_("保留小数位"), default=2)
    ranking = models.CharField(_("排名方式"), max_length=20, choices=Ranking.choices, default=Ranking.SCORE_DESC)
    tie_break = models.CharField(_("并列处理"), max_length=30, choices=TieBreak.choices, default=TieBreak.SHARED)
    rank_style = models.CharField(_("名次样式"), max_length=20, choices=RankStyle.choices, default=RankStyle.STANDARD)
    award_mode = models.CharField(_("奖项设置"), max_length=20, choices=AwardMode.choices, default=AwardMode.COUNTS)
    first_count = models.PositiveSmallIntegerField(_("一等奖名额"), default=1)
    second_count = models.PositiveSmallIntegerField(_("二等奖名额"), default=2)
    third_count = models.PositiveSmallIntegerField(_("三等奖名额"), default=3)
    first_percent = models.DecimalField(_("一等奖比例%"), max_digits=5, decimal_places=2, default=D("10"))
    second_percent = models.DecimalField(_("二等奖比例%"), max_digits=5, decimal_places=2, default=D("20"))
    third_percent = models.DecimalField(_("三等奖比例%"), max_digits=5, decimal_places=2, default=D("30"))
    percent_rounding = models.CharField(
        _("比例取整"), max_length=20, choices=PercentRounding.choices, default=PercentRounding.ROUND_HALF_UP
    )
    min_entrants = models.PositiveIntegerField(_("最少参赛数"), default=0)
    min_score = models.DecimalField(_("获奖最低分"), max_digits=8, decimal_places=2, null=True, blank=True)
    variance_threshold = models.DecimalField(
        _("评分偏差提醒阈值"), max_digits=6, decimal_places=2, null=True, blank=True, default=D("1.00")
    )
    team_method = models.CharField(_("团体成绩"), max_length=20, choices=TeamMethod.choices, default=TeamMethod.SUM)
    team_best_n = models.PositiveSmallIntegerField(_("团体计入人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("评分方案")
        verbose_name_plural = _("评分方案")

    def __str__(self):
        return f"{self.event} · r{self.revision}"


class Criterion(models.Model):
    class Kind(models.TextChoices):
        MEASUREMENT = "measurement", _("客观测量")
        JUDGEMENT = "judgement", _("裁判评分")
        DEDUCTION = "deduction", _("扣分")
        TIME = "time", _("计时")

    class Aggregation(models.TextChoices):
        SINGLE = "single", _("单一裁判")
        MEAN = "mean", _("平均")
        TRIMMED_MEAN = "trimmed_mean", _("去掉最高最低后平均")
        TRIMMED_SUM = "trimmed_sum", _("去掉最高最低后求和")
        MEDIAN = "median", _("中位数")

    class Combine(models.TextChoices):
        SUM = "sum", _("各轮相加")
        BEST = "best", _("取最好一轮")

    class Part(models.TextChoices):
        THEORY = "theory", _("理论")
        PRACTICAL = "practical", _("实操")

    scheme = models.ForeignKey(
        MarkingScheme, verbose_name=_("评分方案"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.SlugField(_("代号"), max_length=30)
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("评分说明"), blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.JUDGEMENT)
    min_value = models.DecimalField(_("最低分"), max_digits=10, decimal_places=3, default=D("0"))
    max_value = models.DecimalField(_("满分/上限"), max_digits=10, decimal_places=3)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=4, default=D("1"))
    step = models.DecimalField(_("步长"), max_digits=6, decimal_places=3, null=True, blank=True)
    aggregation = models.CharField(
        _("裁判组合分方式"), max_length=20, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    trim = models.PositiveSmallIntegerField(_("去掉最高/最低各几个"), default=0)
    attempts = models.PositiveSmallIntegerField(_("轮次"), default=1)
    attempt_multipliers = models.JSONField(_("各轮难度系数"), default=list, blank=True)
    attempts_combine = models.CharField(_("轮次合并"), max_length=10, choices=Combine.choices, default=Combine.SUM)
    part = models.CharField(_("部分"), max_length=20, choices=Part.choices, default=Part.PRACTICAL)
    penalty_per_unit = models.DecimalField(_("每单位罚分/罚秒"), max_digits=8, decimal_places=3, default=D("0"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["scheme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="criterion_code_unique_in_scheme"),
            models.CheckConstraint(condition=models.Q(max_value__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Mark(models.Model):
    """One judge's mark for one entry, criterion and attempt. ``version`` guards stale writes."""

    class Status(models.TextChoices):
        OK = "ok", _("正常")
        DNF = "dnf", _("未完成")
        DSQ = "dsq", _("取消资格")
        DNS = "dns", _("未出赛")

    entry = models.ForeignKey(Entry, verbose_name=_("参赛登记"), on_delete=models.CASCADE, related_name="marks")
    criterion = models.ForeignKey(Criterion, verbose_name=_("评分项"), on_delete=models.PROTECT, related_name="marks")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("裁判"), on_delete=models.PROTECT, related_name="marks"
    )
    attempt = models.PositiveSmallIntegerField(_("轮次"), default=1)
    value = models.DecimalField(_("分值"), max_digits=10, decimal_places=3, null=True, blank=True)
    penalty = models.DecimalField(_("罚分/罚秒"), max_digits=10, decimal_places=3, default=D("0"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OK)
    version = models.PositiveIntegerField(_("版本"), default=1)
    device = models.CharField(_("设备"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["entry", "criterion", "judge", "attempt"], name="mark_natural_key_unique"),
        ]

    def __str__(self):
        return f"{self.entry} {self.criterion.code} {self.value}"
