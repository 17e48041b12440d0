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


class BoardState(models.Model):
    """An event's public board as last sent to screens, and the generation it was sent at.

    Its row is the lock that serialises building the event's boards (``live.board.build``): each
    build takes it, computes the board from committed data, diffs it against ``board`` and, if
    anything changed, stores the new board at ``generation + 1``. Deltas therefore form one
    chain per event, each built on exactly the board before it, whichever process built it.
    ``stale`` is set (in the changing transaction where possible) by changes that are not marks;
    marks are caught by ``standings_version`` falling behind the event's standings version.
    """

    event = models.OneToOneField(
        Event, verbose_name=_("项目"), on_delete=models.CASCADE, primary_key=True, related_name="live_board"
    )
    generation = models.PositiveBigIntegerField(_("代次"), default=0)
    standings_version = models.PositiveBigIntegerField(_("成绩版本"), default=0)
    stale = models.BooleanField(_("待重算"), default=True)
    board = models.JSONField(_("公开榜单"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("实时榜单状态")
        verbose_name_plural = _("实时榜单状态")

    def __str__(self):
        return f"{self.event_id} · g{self.generation}"
