"""The import-linter contracts cover every room: a new app missing from them would go unchecked.

lint-imports (run by ``make lint``) checks the contracts themselves; it cannot notice an app
that no contract names, and its layers contract has no ``exhaustive`` mode without containers.
"""

import tomllib
from pathlib import Path

from django.conf import settings

pytestmark = []  # reads pyproject.toml and settings only

ROOT = Path(settings.BASE_DIR)
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _local_apps() -> set[str]:
    return {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").is_file()}


def _layered_rooms() -> set[str]:
    (contract,) = [c for c in CONFIG["contracts"] if c["type"] == "layers"]
    return {name.strip().strip("()") for layer in contract["layers"] for name in layer.split("|")}


def test_every_local_app_is_a_root_package_of_import_linter():
    assert sorted(_local_apps() | {"config"}) == sorted(CONFIG["root_packages"])


def test_every_root_package_has_a_layer():
    assert sorted(set(CONFIG["root_packages"]) - _layered_rooms()) == []
