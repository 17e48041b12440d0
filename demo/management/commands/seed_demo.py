"""``manage.py seed_demo [--scale]``: (re)build the demo data and print the demo logins.

A thin wrapper over ``demo.data.build_demo``, which wipes and recreates the
demo competitions by slug, so running it twice never duplicates anything.
"""

import time

from django.core.management.base import BaseCommand

from competitions.models import Competition
from demo.data import build_demo


class Command(BaseCommand):
    help = (
        "Create the demo competitions (drone, catering, quiz, tug-of-war, sports day; "
        "--scale adds the 1514-contestant district contest)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            action="store_true",
            help="Also build the district contest: 14 events, 1514 contestants, entries and draws.",
        )

    def handle(self, *args, scale=False, **options):
        started = time.perf_counter()
        summary = build_demo(scale=scale)
        elapsed = time.perf_counter() - started

        out = self.stdout
        out.write(self.style.SUCCESS(f"演示数据已生成 / Demo data ready in {elapsed:.1f} s"))
        counts = {
            c.slug: c
            for c in Competition.objects.filter(slug__in=summary.competitions).prefetch_related("events", "contestants")
        }
        for slug in summary.competitions:
            competition = counts[slug]
            kept = "  （已有评分，保留未重建 / has marks, kept）" if slug in summary.kept else ""
            out.write(
                f"  {slug:<9} {competition.title}  "
                f"项目 events {len(competition.events.all())} · 选手 contestants {len(competition.contestants.all())}"
                + kept
            )
        out.write("")
        out.write(self.style.MIGRATE_HEADING("演示账号 Demo logins  (http://127.0.0.1:8000/accounts/login/)"))
        width = max(len(login.username) for login in summary.logins)
        out.write(f"  {'用户名 username':<{width + 14}} 角色 role")
        for login in summary.logins:
            out.write(f"  {login.username:<{width + 14}} {login.role}  —  {login.scope}")
        out.write(f"  密码 password（全部 all）: {summary.password}")
