"""Online knowledge contests (网上知识竞赛): question banks, rounds, participants, attempts, results.

Storage is shaped for a city-wide round: 400,000 attempts of 20 questions in ten days, and
about 2 million attempts a year.

- **One row per attempt, answers packed.** An ``Attempt`` holds its paper (the drawn question
  ids and each question's option order, as JSON) and the answers given so far (JSON keyed by
  position). 400,000 attempts are 400,000 rows of about 1 KB, not 8 million answer rows; a saved
  answer is one ``UPDATE`` of one row that only its participant ever locks, so saves from a
  thousand phones never wait on each other. A year (2 million attempts) is about 2 GB of heap
  and small indexes; old rounds can be archived by ``round_id`` without touching the others.
- **The seed is recorded.** The paper is a pure function of the seed and the round's pool
  (``quizzes.papers.draw_paper``), so any paper can be replayed and checked.
- **Rankings are aggregates, not scans.** On submit, in the same transaction, the participant's
  one ``Result`` row for the round is updated by the round's counting rule (best, first, last).
  Rankings read ``Result`` (one row per participant, not per attempt) through the index
  ``(round, ranked, -score, duration_ms, id)``: the top of the list is an index range, "my
  rank" is one indexed count of the rows ahead of mine, and unit participation is one
  ``GROUP BY unit`` over the round's results (``(round, unit)`` index), rolled up the unit tree
  in Python (hundreds of units, not rows). ``bench/quiz_rankings.py`` measures all three.
- **The database keeps the rules that matter under races:** a partial unique index allows one
  open attempt per participant and round, and ``(round, participant, number)`` is unique.

Participants are not Django users: name, mobile and unit, no password and no ID number.
``provider``/``subject`` are the seam for a WeChat or OIDC sign-in later: a participant found by
``(competition, provider, subject)`` instead of by mobile number.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Organisation
from config.text import validate_line, validate_text


class Question(models.Model):
    """One question of a competition's bank. ``answer`` is stored in the options' own order (``A``…``F``)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("单选题")
        MULTIPLE = "multiple", _("多选题")
        TRUE_FALSE = "true_false", _("判断题")
        FILL = "fill", _("填空题")

    class Difficulty(models.IntegerChoices):
        EASY = 1, _("易")
        MEDIUM = 2, _("中")
        HARD = 3, _("难")

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="quiz_questions"
    )
    kind = models.CharField(_("题型"), max_length=20, choices=Kind.choices)
    stem = models.TextField(_("题干"), max_length=2000, validators=[validate_text])
    # The import's natural key: the same stem in the same bank is the same question.
    stem_key = models.CharField(max_length=64, editable=False)
    options = models.JSONField(_("选项"), default=list, blank=True)
    # Letters for choice questions ("B", "ACD"); for true/false "A" (正确) or "B" (错误);
    # for fill-in the accepted answers separated by "|".
    answer = models.CharField(_("答案"), max_length=500)
    category = models.CharField(_("分类"), max_length=60, blank=True, validators=[validate_line])
    difficulty = models.PositiveSmallIntegerField(_("难度"), choices=Difficulty.choices, default=Difficulty.MEDIUM)
    points = models.PositiveSmallIntegerField(_("分值"), default=5)
    explanation = models.TextField(_("解析"), blank=True, max_length=2000, validators=[validate_text])
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["competition", "id"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "stem_key"], name="quiz_question_stem_unique"),
        ]
        indexes = [models.Index(fields=["competition", "active", "category", "difficulty"], name="quiz_q_pool")]

    def __str__(self):
        return self.stem[:40]


class Round(models.Model):
    """One contest round: when it is open, how a paper is drawn, and who may take part."""

    class Counting(models.TextChoices):
        BEST = "best", _("最高成绩")
        FIRST = "first", _("首次成绩")
        LAST = "last", _("最后一次成绩")

    class Eligibility(models.TextChoices):
        UNIT_TREE = "unit_tree", _("比赛单位树内的任何人")
        ROSTER = "roster", _("仅名单内人员")

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="quiz_rounds"
    )
    title = models.CharField(_("名称"), max_length=200, validators=[validate_line])
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("结束时间"))
    time_limit_seconds = models.PositiveIntegerField(_("每次答题限时（秒）"), default=600)
    # [{"category": "安全生产", "difficulty": 2, "count": 5}, …]; a blank category or a null
    # difficulty matches any. Drawn in order, never the same question twice in a paper.
    draw_rules = models.JSONField(_("抽题规则"), default=list)
    attempts_per_day = models.PositiveSmallIntegerField(_("每天答题次数"), default=3)
    attempts_total = models.PositiveSmallIntegerField(_("总答题次数"), default=10)
    counting = models.CharField(_("计入成绩"), max_length=10, choices=Counting.choices, default=Counting.BEST)
    show_answers = models.BooleanField(_("交卷后显示答案和解析"), default=True)
    eligibility = models.CharField(
        _("参赛范围"), max_length=20, choices=Eligibility.choices, default=Eligibility.UNIT_TREE
    )
    unit_root = models.ForeignKey(
        Organisation,
        verbose_name=_("单位树根"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示主办单位。"),
    )
    min_seconds_per_question = models.PositiveSmallIntegerField(
        _("每题最短合理用时（秒）"), default=2, help_text=_("用时低于此下限的答卷标记待审，不计入排名。")
    )
    # E-certificates (电子证书, issued by the certificates room with QR verification): to every
    # ranked participant whose counted score reaches the threshold; none when it is blank.
    certificate_min_score = models.PositiveSmallIntegerField(
        _("电子证书分数线"),
        null=True,
        blank=True,
        help_text=_("成绩达到此分数的答题者可下载电子证书；留空表示不颁发。"),
    )
    certificate_title = models.CharField(
        _("证书名称"), max_length=60, blank=True, default="优秀答题者", validators=[validate_line]
    )

    class Meta:
        verbose_name = _("答题轮次")
        verbose_name_plural = _("答题轮次")
        ordering = ["-opens_at", "id"]

    def __str__(self):
        return self.title

    @property
    def question_count(self) -> int:
        return sum(int(rule.get("count", 0)) for rule in self.draw_rules)


class Participant(models.Model):
    """Someone taking part: name, mobile and unit; no password, no ID number."""

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="quiz_participants"
    )
    name = models.CharField(_("姓名"), max_length=60, validators=[validate_line])
    mobile = models.CharField(_("手机号"), max_length=20)
    unit = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    # The seam for WeChat/OIDC: blank for the name-and-mobile sign-in.
    provider = models.CharField(max_length=20, blank=True)
    subject = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("答题者")
        verbose_name_plural = _("答题者")
        constraints = [
            models.UniqueConstraint(fields=["competition", "mobile"], name="quiz_participant_mobile_unique"),
            models.UniqueConstraint(
                fields=["competition", "provider", "subject"],
                condition=~Q(provider=""),
                name="quiz_participant_subject_unique",
            ),
        ]

    def __str__(self):
        return self.name


class RosterEntry(models.Model):
    """Who may take part in a roster round, by mobile number (and name)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="roster")
    mobile = models.CharField(_("手机号"), max_length=20)
    name = models.CharField(_("姓名"), max_length=60, validators=[validate_line])

    class Meta:
        verbose_name = _("答题名单")
        verbose_name_plural = _("答题名单")
        constraints = [models.UniqueConstraint(fields=["round", "mobile"], name="quiz_roster_mobile_unique")]

    def __str__(self):
        return f"{self.name} {self.mobile}"


class Attempt(models.Model):
    """One answer session (答卷): its paper, its answers packed as JSON, its deadline and its score."""

    class Status(models.TextChoices):
        OPEN = "open", _("答题中")
        SUBMITTED = "submitted", _("已交卷")
        EXPIRED = "expired", _("超时自动交卷")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="attempts")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()  # 1, 2, … for this participant in this round
    day = models.DateField()  # the local day it started on: attempts per day
    seed = models.BigIntegerField()
    question_ids = models.JSONField()  # [17, 4, 230, …] in paper order
    option_orders = models.JSONField()  # per position, the original option indexes in display order
    kinds = models.CharField(max_length=100)  # per position, the question's kind as one letter (s, m, t, f)
    # {"3": ["B", 7]}: position → [answer in original letters or text, client revision]
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(default=0)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    flagged = models.BooleanField(default=False)  # faster than the plausible floor: not ranked until accepted
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        constraints = [
            models.UniqueConstraint(fields=["round", "participant", "number"], name="quiz_attempt_number_unique"),
            models.UniqueConstraint(
                fields=["round", "participant"], condition=Q(status="open"), name="quiz_one_open_attempt"
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status", "finished_at"], name="quiz_attempt_dashboard"),
            models.Index(fields=["status", "deadline"], name="quiz_attempt_expiry"),
            models.Index(fields=["round", "flagged"], name="quiz_attempt_flagged", condition=Q(flagged=True)),
        ]

    def __str__(self):
        return f"{self.participant_id} #{self.number}"


class Result(models.Model):
    """A participant's standing in a round: the aggregate rankings read (one row per participant).

    ``ranked`` is false until an unflagged attempt counts; the participant still counts for
    participation. ``unit`` is copied from the participant so the per-unit roll-up needs no join.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    attempt = models.ForeignKey(Attempt, null=True, on_delete=models.SET_NULL, related_name="+")
    ranked = models.BooleanField(default=False)
    score = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("答题成绩")
        verbose_name_plural = _("答题成绩")
        constraints = [models.UniqueConstraint(fields=["round", "participant"], name="quiz_result_unique")]
        indexes = [
            models.Index(fields=["round", "ranked", "-score", "duration_ms", "id"], name="quiz_result_rank"),
            models.Index(fields=["round", "unit"], name="quiz_result_unit"),
        ]

    def __str__(self):
        return f"{self.participant_id}: {self.score}"


class UnitHeadcount(models.Model):
    """A unit's staff (职工人数), the denominator of its participation rate. Kept here, not on Organisation."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="quiz_headcount"
    )
    headcount = models.PositiveIntegerField(_("职工人数"))

    class Meta:
        verbose_name = _("单位职工人数")
        verbose_name_plural = _("单位职工人数")

    def __str__(self):
        return f"{self.organisation_id}: {self.headcount}"


class PrizeDraw(models.Model):
    """A prize draw by lot among qualifying participants; seed and candidates recorded so anyone can replay it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="prize_draws")
    title = models.CharField(_("名称"), max_length=120, validators=[validate_line])
    min_score = models.PositiveIntegerField(_("最低分数"))
    winners = models.PositiveIntegerField(_("中奖人数"))
    seed = models.CharField(max_length=64)
    candidate_ids = models.JSONField()  # participant ids, ascending: the order the seed draws from
    winner_ids = models.JSONField()
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("抽奖")
        verbose_name_plural = _("抽奖")
        ordering = ["-drawn_at"]

    def __str__(self):
        return self.title
