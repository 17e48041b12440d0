"""What the live board needs beyond the scores: the frozen snapshot and the reveal progress.

Publication policy itself is a field of Competition; these rows hold the state the
frozen and reveal modes need, per event. ``CompetitionPublication`` is a proxy of
Competition, so the admin can offer the policy under live, where it is changed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Event


class FrozenBoard(models.Model):
    """The public rows of an event at the moment its competition's board was frozen."""

    event = models.OneToOneField(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="frozen_board")
    version = models.PositiveIntegerField(_("封榜时版本"))
    rows = models.JSONField(_("封榜时成绩"), default=list)
    frozen_at = models.DateTimeField(_("封榜时间"))

    class Meta:
        verbose_name = _("封榜快照")
        verbose_name_plural = _("封榜快照")

    def __str__(self):
        return f"{self.event} · v{self.version}"


class RevealProgress(models.Model):
    """How many places of an event the organiser has revealed, counting from last place."""

    event = models.OneToOneField(Event, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reveal")
    revealed = models.PositiveIntegerField(_("已揭晓名次数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("颁奖揭晓进度")
        verbose_name_plural = _("颁奖揭晓进度")

    def __str__(self):
        return f"{self.event} · {self.revealed}"


class CompetitionPublication(Competition):
    """A competition as live's admin shows it: its publication policy, changed through ``publication_set``."""

    class Meta:
        proxy = True
        verbose_name = _("成绩公布")
        verbose_name_plural = _("成绩公布")
