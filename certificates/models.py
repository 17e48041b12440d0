"""Certificates, their templates, bulk-issue batches and the audit trail.

A Certificate snapshots what it certifies (holder name, unit, award text) at issue
time, so renaming a team later never changes a certificate already handed out. Its
``holder_key`` (kind + event + holder) is unique among valid certificates: issuing
twice finds the existing one instead of creating a duplicate. A reissue revokes the
old certificate and links the new one to it through ``replaces``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Contestant, Event, Organisation, Team
from config.text import validate_line


class CertificateKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个人奖")
    TEAM = "team", _("团体奖")
    ORGANISATION = "organisation", _("优秀组织奖")
    PARTICIPATION = "participation", _("参赛证书")
    ONLINE = "online", _("线上竞赛证书")


class CertificateTemplate(models.Model):
    """An organiser's own template for one kind: an HTML fragment for one page, its CSS, a background."""

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="certificate_templates"
    )
    kind = models.CharField(_("证书类型"), max_length=20, choices=CertificateKind.choices)
    name = models.CharField(_("名称"), max_length=80, validators=[validate_line])
    html = models.TextField(_("HTML 模板"), help_text=_("一页证书的 HTML 片段，可使用 {{ holder_name }} 等变量。"))
    css = models.TextField(_("CSS 样式"), blank=True)
    background = models.FileField(_("背景图"), upload_to="certificates/backgrounds/", blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书模板")
        verbose_name_plural = _("证书模板")
        ordering = ["competition", "kind", "-id"]

    def __str__(self):
        return self.name


class CertificateBatch(models.Model):
    """One bulk issue for an event or a whole competition; the organiser polls its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="certificate_batches"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("项目"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    include_participation = models.BooleanField(_("包含参赛证书"), default=False)
    override_reason = models.CharField(_("成绩确认前颁发的原因"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    zip_file = models.FileField(_("ZIP 文件"), upload_to="certificates/batches/", blank=True)
    print_file = models.FileField(_("合并打印 PDF"), upload_to="certificates/batches/", blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量发证")
        verbose_name_plural = _("批量发证")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.competition} · {self.done} / {self.total}"

    @property
    def progress_text(self) -> str:
        return f"{self.done} / {self.total}"


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已撤销")

    competition = models.ForeignKey(
        Competition, verbose_name=_("比赛"), on_delete=models.CASCADE, related_name="certificates"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    kind = models.CharField(_("证书类型"), max_length=20, choices=CertificateKind.choices)
    award_level = models.PositiveSmallIntegerField(_("奖项等级"), null=True, blank=True)
    award_title = models.CharField(_("奖项"), max_length=60, validators=[validate_line])
    holder_contestant = models.ForeignKey(
        Contestant, verbose_name=_("获奖选手"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_team = models.ForeignKey(
        Team, verbose_name=_("获奖队伍"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_organisation = models.ForeignKey(
        Organisation, verbose_name=_("获奖单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_key = models.CharField(_("持有人键"), max_length=80, editable=False)
    holder_name = models.CharField(_("获奖者"), max_length=200, validators=[validate_line])
    holder_unit = models.CharField(_("所在单位"), max_length=200, blank=True, validators=[validate_line])
    sequence = models.PositiveIntegerField(_("序号"))
    serial = models.CharField(_("证书编号"), max_length=80, unique=True)
    verification_code = models.CharField(_("验证码"), max_length=160, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.VALID)
    issued_on = models.DateField(_("发证日期"))
    issued_at = models.DateTimeField(_("发证时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发证人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer_name = models.CharField(_("发证单位"), max_length=200, validators=[validate_line])
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("替代的证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    template = models.ForeignKey(
        CertificateTemplate, verbose_name=_("模板"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        CertificateBatch, verbose_name=_("批次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Award certificates wait for final results (公示 over); an organiser may issue earlier with
    # a reason, which the verification page shows to anyone who checks the certificate.
    results_override_reason = models.CharField(_("成绩确认前颁发的原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["competition", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "sequence"], name="certificate_sequence_unique"),
            models.UniqueConstraint(
                fields=["competition", "holder_key"],
                condition=Q(status="valid"),
                name="certificate_valid_once_per_holder",
            ),
            models.CheckConstraint(
                condition=Q(holder_contestant__isnull=False, holder_team__isnull=True, holder_organisation__isnull=True)
                | Q(holder_contestant__isnull=True, holder_team__isnull=False, holder_organisation__isnull=True)
                | Q(holder_contestant__isnull=True, holder_team__isnull=True, holder_organisation__isnull=False)
                # An online contest's participant is no contestant of the roster: named in the snapshot only.
                | Q(
                    kind="online",
                    holder_contestant__isnull=True,
                    holder_team__isnull=True,
                    holder_organisation__isnull=True,
                ),
                name="certificate_exactly_one_holder",
            ),
        ]
        indexes = [models.Index(fields=["event", "kind"], name="certificate_event_kind")]

    def __str__(self):
        return self.serial

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID


class CertificateAudit(models.Model):
    """Append-only: every issue, revocation and reissue, with who, when and why."""

    class Action(models.TextChoices):
        ISSUE = "issue", _("发证")
        REVOKE = "revoke", _("撤销")
        REISSUE = "reissue", _("补发/重发")
        OVERRIDE = "override", _("成绩确认前颁发")

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="audit_entries"
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书操作记录")
        verbose_name_plural = _("证书操作记录")
        ordering = ["certificate", "at", "id"]

    def __str__(self):
        return f"{self.certificate} · {self.get_action_display()}"
