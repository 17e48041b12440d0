"""Marking schemes, marks, their history, sheets and appeals.

A Mark is one row per (entry, criterion, judge, attempt), enforced by the database,
written by upsert. Every write appends a MarkHistory row; history is append-only.
The pure arithmetic lives in ``scoring.aggregation`` / ``scoring.standings``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from competitions.models import Entry, Event
from config.text import validate_line, validate_text

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

    class ProvisionalRows(models.TextChoices):
        AFTER = "after", _("排在完整成绩之后")
        HIDDEN = "hidden", _("不排名")

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
    provisional_rows = models.CharField(
        _("未评完的成绩"), max_length=10, choices=ProvisionalRows.choices, default=ProvisionalRows.AFTER
    )

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

    class TimeConversion(models.TextChoices):
        NONE = "none", _("不折算（用于排名或并列比较）")
        RELATIVE_TO_BEST = "relative_to_best", _("按最快用时折算")
        LINEAR_BAND = "linear_band", _("标准用时至限时线性折算")

    scheme = models.ForeignKey(
        MarkingScheme, verbose_name=_("评分方案"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.SlugField(_("代号"), max_length=30)
    title = models.CharField(_("名称"), max_length=120, validators=[validate_line])
    title_en = models.CharField(
        _("英文名称"),
        max_length=120,
        blank=True,
        validators=[validate_line],
        help_text=_("英文界面显示；留空则显示名称。"),
    )
    description = models.TextField(
        _("评分说明"),
        blank=True,
        max_length=2000,
        validators=[validate_text],
    )
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
    panel_size = models.PositiveSmallIntegerField(_("每轮评分人数"), null=True, blank=True)
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定裁判"),
        blank=True,
        related_name="assigned_criteria",
        help_text=_("留空：本项目的全体裁判评分；指定后只接受这些裁判的评分。"),
    )
    time_conversion = models.CharField(
        _("用时折算"), max_length=20, choices=TimeConversion.choices, default=TimeConversion.NONE
    )
    time_points = models.DecimalField(_("折算满分"), max_digits=8, decimal_places=3, null=True, blank=True)
    par_time = models.DecimalField(_("标准用时"), max_digits=10, decimal_places=3, null=True, blank=True)
    limit_time = models.DecimalField(_("限时"), max_digits=10, decimal_places=3, null=True, blank=True)

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

    @property
    def display_title(self) -> str:
        """The English title in the English UI when there is one, else the title."""
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title


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


class MarkHistory(models.Model):
    """One change of one mark: append-only.

    Rows are never updated or deleted. ``save`` and ``delete`` refuse it here, and
    a database trigger (migration 0002) refuses raw SQL ``UPDATE``/``DELETE`` too,
    so even a bug or a hand-typed query cannot rewrite the audit trail.
    """

    mark = models.ForeignKey(Mark, verbose_name=_("评分"), on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    device = models.CharField(_("设备"), max_length=80, blank=True)
    old_value = models.DecimalField(_("原分值"), max_digits=10, decimal_places=3, null=True, blank=True)
    new_value = models.DecimalField(_("新分值"), max_digits=10, decimal_places=3, null=True, blank=True)
    old_penalty = models.DecimalField(_("原罚分"), max_digits=10, decimal_places=3, null=True, blank=True)
    new_penalty = models.DecimalField(_("新罚分"), max_digits=10, decimal_places=3, default=D("0"))
    old_status = models.CharField(_("原状态"), max_length=10, blank=True)
    new_status = models.CharField(_("新状态"), max_length=10)
    version = models.PositiveIntegerField(_("版本"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=100, blank=True)
    appeal = models.ForeignKey(
        "Appeal", verbose_name=_("申诉"), null=True, blank=True, on_delete=models.PROTECT, related_name="mark_changes"
    )

    class Meta:
        verbose_name = _("评分修改记录")
        verbose_name_plural = _("评分修改记录")
        ordering = ["mark", "version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mark", "version"], name="mark_history_version_unique"),
        ]

    def __str__(self):
        return f"{self.mark_id} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise HistoryIsAppendOnly(_("评分修改记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(_("评分修改记录只能追加，不能删除。"))


class HistoryIsAppendOnly(Exception):
    """Raised when code tries to change or remove a MarkHistory row."""


class IdempotencyRecord(models.Model):
    """The stored result of one client request, keyed by (user, client key).

    A replay with the same key and the same request ``fingerprint`` gets the stored
    ``response`` back and changes nothing; the same key with another payload is refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=100)
    scope = models.CharField(_("范围"), max_length=60)
    fingerprint = models.CharField(_("请求指纹"), max_length=64)
    response = models.JSONField(_("原始结果"), default=dict)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.key}"


class Sheet(models.Model):
    """One judge's marks for one entry: draft → submitted → locked → published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        LOCKED = "locked", _("已锁定")
        PUBLISHED = "published", _("已公布")

    entry = models.ForeignKey(Entry, verbose_name=_("参赛登记"), on_delete=models.CASCADE, related_name="sheets")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("裁判"), on_delete=models.PROTECT, related_name="sheets"
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["entry", "judge"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge"], name="sheet_entry_judge_unique"),
        ]

    def __str__(self):
        return f"{self.entry} · {self.judge} · {self.get_state_display()}"

    @property
    def is_locked(self) -> bool:
        return self.state in (self.State.LOCKED, self.State.PUBLISHED)


class SheetAudit(models.Model):
    """Who moved a sheet from one state to another, when, and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        LOCK = "lock", _("锁定")
        UNLOCK = "unlock", _("解锁")
        PUBLISH = "publish", _("公布")

    sheet = models.ForeignKey(Sheet, verbose_name=_("评分表"), on_delete=models.CASCADE, related_name="audits")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=Sheet.State.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=Sheet.State.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分表操作记录")
        verbose_name_plural = _("评分表操作记录")
        ordering = ["sheet", "created_at", "id"]

    def __str__(self):
        return f"{self.sheet_id} {self.action}"


class Appeal(models.Model):
    """An appeal (申诉) against an entry's result, and the decision on it."""

    class Status(models.TextChoices):
        OPEN = "open", _("受理中")
        UPHELD = "upheld", _("申诉成立")
        DISMISSED = "dismissed", _("驳回")

    class Appellant(models.TextChoices):
        TEAM_LEADER = "team_leader", _("领队")
        UNIT = "unit", _("参赛单位")

    entry = models.ForeignKey(Entry, verbose_name=_("参赛登记"), on_delete=models.CASCADE, related_name="appeals")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    # Who appeals (DOMAIN.md: a team leader or the contestant's unit, in writing); an organiser
    # or chief judge records it on their behalf (``filed_by``).
    appellant = models.CharField(_("申诉方"), max_length=20, choices=Appellant.choices, default=Appellant.UNIT)
    appellant_name = models.CharField(_("申诉人姓名"), max_length=60, blank=True, validators=[validate_line])
    unit = models.ForeignKey(
        "competitions.Organisation",
        verbose_name=_("申诉单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    reason = models.TextField(_("申诉理由"), max_length=2000, validators=[validate_text])
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    decision = models.TextField(
        _("处理决定"),
        blank=True,
        max_length=2000,
        validators=[validate_text],
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-filed_at", "-id"]

    def __str__(self):
        return f"{self.entry} · {self.get_status_display()}"


class SchemeRevision(models.Model):
    """An audited change of a scheme that already has marks: the old scheme, as JSON."""

    scheme = models.ForeignKey(
        MarkingScheme, verbose_name=_("评分方案"), on_delete=models.CASCADE, related_name="revisions"
    )
    revision = models.PositiveIntegerField(_("被替换的版本"))
    snapshot = models.JSONField(_("原方案"))
    reason = models.CharField(_("修订原因"), max_length=200)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修订人"), on_delete=models.PROTECT, related_name="+"
    )
    revised_at = models.DateTimeField(_("修订时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分方案修订记录")
        verbose_name_plural = _("评分方案修订记录")
        ordering = ["scheme", "revision"]

    def __str__(self):
        return f"{self.scheme} ← r{self.revision}"


class DeclaredAttempt(models.Model):
    """One attempt an entry declares in advance, with its own difficulty (a diver's dive list).

    The difficulty replaces the criterion's multiplier for this entry and attempt.
    Entered by the organiser (API or Excel) and frozen once the entry has a mark on
    the criterion.
    """

    entry = models.ForeignKey(
        Entry, verbose_name=_("参赛登记"), on_delete=models.CASCADE, related_name="declared_attempts"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("评分项"), on_delete=models.CASCADE, related_name="declared_attempts"
    )
    attempt = models.PositiveSmallIntegerField(_("轮次"))
    label = models.CharField(_("动作"), max_length=30, blank=True)
    difficulty = models.DecimalField(_("难度系数"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("申报动作")
        verbose_name_plural = _("申报动作")
        ordering = ["entry", "criterion", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "criterion", "attempt"], name="declared_attempt_unique"),
            models.CheckConstraint(condition=models.Q(difficulty__gt=0), name="declared_difficulty_positive"),
        ]

    def __str__(self):
        return f"{self.entry} {self.criterion.code} #{self.attempt} {self.label} {self.difficulty}"


class EventStandingsVersion(models.Model):
    """A per-event counter, bumped in the same transaction as every mark change.

    Its row is also the lock that serialises mark writes of one event.
    """

    event = models.OneToOneField(
        Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="standings_version"
    )
    version = models.PositiveBigIntegerField(_("版本"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("成绩版本")
        verbose_name_plural = _("成绩版本")

    def __str__(self):
        return f"{self.event} v{self.version}"


# --------------------------------------------------------------------------
# The results chain (scoring.results): marks → sheets locked → review → decoded → announced → final


class EventResults(models.Model):
    """Where one event's results stand in the chain, with who moved them and when.

    ``stage`` only moves forward (``scoring.results`` checks each step). "Final" is also
    reached lazily: an announced event whose period is over with no open or upheld
    objection reads as final (``results_selectors.results_stage``), and
    ``results_finalise`` records it. The event "ends" for appeals when the chief judge
    closes marking (``marking_closed_at``): appeals are accepted until
    ``marking_closed_at + appeal_window_hours``.
    """

    class Stage(models.TextChoices):
        MARKING = "marking", _("评分中")
        REVIEW = "review", _("复核中")
        DECODED = "decoded", _("已解密")
        ANNOUNCED = "announced", _("公示中")
        FINAL = "final", _("成绩已确认")

    event = models.OneToOneField(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="results")
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.MARKING)
    appeal_window_hours = models.PositiveSmallIntegerField(_("申诉时限（小时）"), default=2)
    marking_closed_at = models.DateTimeField(_("评分结束时间"), null=True, blank=True)
    marking_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束评分人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_seed = models.CharField(_("复核抽样种子"), max_length=64, blank=True)
    review_drawn_at = models.DateTimeField(_("复核抽样时间"), null=True, blank=True)
    review_drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽样人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    full_review = models.BooleanField(_("全面复核"), default=False)
    review_completed_at = models.DateTimeField(_("复核完成时间"), null=True, blank=True)
    announced_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公示人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    announcement_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    contact = models.CharField(_("异议联系方式"), max_length=200, blank=True)
    final_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("项目成绩状态")
        verbose_name_plural = _("项目成绩状态")

    def __str__(self):
        return f"{self.event} · {self.get_stage_display()}"


class ResultsAudit(models.Model):
    """Append-only record of every step of an event's results chain: who, when, why."""

    class Action(models.TextChoices):
        CLOSE_MARKING = "close_marking", _("结束评分并锁定评分表")
        DRAW_REVIEW = "draw_review", _("抽取复核样本")
        REVIEW_CONFIRM = "review_confirm", _("复核确认")
        REVIEW_CORRECT = "review_correct", _("复核更正")
        FULL_REVIEW = "full_review", _("转为全面复核")
        REVIEW_COMPLETE = "review_complete", _("复核完成")
        DECODE = "decode", _("解密")
        ANNOUNCE = "announce", _("公示")
        OBJECTION_FILED = "objection_filed", _("收到异议")
        OBJECTION_DECIDED = "objection_decided", _("处理异议")
        FINALISE = "finalise", _("成绩确认")
        REOPEN = "reopen", _("异议成立，重新复核")
        APPEAL_FILED = "appeal_filed", _("受理申诉")
        APPEAL_DECIDED = "appeal_decided", _("申诉裁决")

    event = models.ForeignKey(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="results_audits")
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.CharField(_("原因/说明"), max_length=300, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("成绩流程记录")
        verbose_name_plural = _("成绩流程记录")
        ordering = ["event", "at", "id"]

    def __str__(self):
        return f"{self.event_id} {self.action}"


class ReviewItem(models.Model):
    """One entry drawn for review (复核): confirmed as marked, or corrected (its mark changes linked)."""

    class Reason(models.TextChoices):
        TOP = "top", _("前十名")
        SAMPLE = "sample", _("随机抽样")
        FULL = "full", _("全面复核")
        OBJECTION = "objection", _("异议复查")

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        CONFIRMED = "confirmed", _("无误")
        CORRECTED = "corrected", _("已更正")

    event = models.ForeignKey(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="review_items")
    entry = models.ForeignKey(Entry, verbose_name=_("参赛登记"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("抽取原因"), max_length=10, choices=Reason.choices)
    # 1: the review drawn by lot; 2, 3…: each reopening after an upheld objection (``results_reopen``).
    round = models.PositiveSmallIntegerField(_("复核轮次"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    corrections = models.ManyToManyField(MarkHistory, verbose_name=_("更正记录"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("复核项")
        verbose_name_plural = _("复核项")
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "entry", "round"], name="review_item_once_per_entry_and_round")
        ]

    def __str__(self):
        return f"{self.entry} · {self.get_status_display()}"


class Objection(models.Model):
    """An objection (异议) raised during the announcement period (公示), and the organiser's ruling."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("不成立")

    event = models.ForeignKey(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("提出人"), max_length=60, validators=[validate_line])
    contact = models.CharField(_("联系方式"), max_length=60, validators=[validate_line])
    text = models.TextField(_("异议内容"), max_length=2000, validators=[validate_text])
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField(_("处理意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["event", "-filed_at", "-id"]

    def __str__(self):
        return f"{self.event_id} · {self.name} · {self.get_status_display()}"
