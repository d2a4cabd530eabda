"""The start every benchmark shares: the project importable, the database and Redis the run and test
commands use (embedded ones unless ``DATABASE_URL`` / ``REDIS_URL`` are set), Django set up and the
schema migrated. Benchmarks run as ``python bench/<name>.py``, so this folder is on ``sys.path``."""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def django_start(*, migrate: bool = True) -> None:
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.embedded import ensure_services

    ensure_services()
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
