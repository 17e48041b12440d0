from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("实时成绩")

    def ready(self):
        # The live board listens to the rooms below it; none of them imports live.
        from django.db.models.signals import post_delete, post_save, pre_save

        from competitions import signals as competition_signals
        from competitions.models import Competition, Contestant, Entry, Event, Organisation, Team
        from live import board
        from live.models import FrozenBoard, RevealProgress
        from scoring import signals as scoring_signals

        scoring_signals.standings_changed.connect(board.on_standings_changed, dispatch_uid="live.board")
        # A competition that goes private cuts its open sockets (Django's own model signals).
        pre_save.connect(board.remember_visibility, sender=Competition, dispatch_uid="live.visibility.pre")
        post_save.connect(board.visibility_saved, sender=Competition, dispatch_uid="live.visibility.post")
        # Changes that are not marks reach the boards too: entry status, names, units, draws, imports.
        for model in (Entry, Contestant, Team, Organisation):
            post_save.connect(board.holder_saved, sender=model, dispatch_uid=f"live.holder.save.{model.__name__}")
            post_delete.connect(board.holder_saved, sender=model, dispatch_uid=f"live.holder.delete.{model.__name__}")
        # What the event itself shows (decoded, blind, title), its freeze and reveal, its competition's policy.
        for model in (Event, FrozenBoard, RevealProgress):
            post_save.connect(board.event_saved, sender=model, dispatch_uid=f"live.event.save.{model.__name__}")
        post_save.connect(board.competition_saved, sender=Competition, dispatch_uid="live.competition.save")
        competition_signals.entries_changed.connect(board.entries_changed, dispatch_uid="live.entries")
        scoring_signals.event_decoded.connect(board.on_event_decoded, dispatch_uid="live.board.decoded")
