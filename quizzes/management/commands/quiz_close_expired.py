"""Close every abandoned quiz attempt past its deadline (score what was saved). Run it from cron every minute.

Attempts also close themselves lazily when read; this sweep is for the ones nobody reads again,
so results and the dashboard's "in progress" count stay true.
"""

from django.core.management.base import BaseCommand

from quizzes.services import attempts_close_expired


class Command(BaseCommand):
    help = "Close quiz attempts whose deadline has passed."

    def handle(self, *args, **options):
        closed = attempts_close_expired()
        self.stdout.write(f"closed {closed} expired attempt(s)")
