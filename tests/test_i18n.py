"""Chinese by default, English through the language switcher, and a complete en catalog."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file: ``{"flags": {...}, "msgid": ..., "msgstr": ..., ...}`` (enough for a check)."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, key = {"flags": set()}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        entries.append(entry)
    return entries


def test_parse_po_reads_flags_plurals_and_continuations():
    entries = parse_po('msgid ""\nmsgstr "h"\n\n#, fuzzy, python-format\nmsgid "a"\n"b"\nmsgstr ""\n"c"\n')
    assert entries[1] == {"flags": {"fuzzy", "python-format"}, "msgid": "ab", "msgstr": "c"}


def test_home_is_chinese_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "还没有公开的比赛。" in html


def test_language_switcher_turns_the_page_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (response.status_code, response.url) == (302, "/")
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "No public competitions yet." in html
    assert "还没有公开的比赛。" not in html


def test_english_catalog_is_complete():
    entries = [e for e in parse_po(CATALOG.read_text(encoding="utf-8")) if e.get("msgid")]
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    untranslated += [e["msgid"] for e in entries if "msgstr[1]" in e and not e["msgstr[1]"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert (untranslated, fuzzy) == ([], [])


def test_browser_asking_for_english_still_gets_chinese(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "还没有公开的比赛。" in html


def test_english_catalog_has_every_string_in_the_source(tmp_path):
    """makemessages over a copy of the source adds no msgid the committed catalog lacks."""
    import shutil
    import subprocess
    import sys

    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", ".git", "docs", "staticfiles", "media", "*.sqlite3*", "__pycache__")
    shutil.copytree(root, copy, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=tests", "-v", "0"],
        cwd=copy,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"},
    )
    fresh = {e["msgid"] for e in parse_po((copy / CATALOG.relative_to(root)).read_text(encoding="utf-8"))}
    committed = {e["msgid"] for e in parse_po(CATALOG.read_text(encoding="utf-8"))}
    assert fresh - committed == set()
