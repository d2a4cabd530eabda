"""For tests that run code in a separate process (one that gets killed): how it reaches the test database."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    from urllib.parse import quote

    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    return f"postgresql://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def run_script(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``script`` (a path from the repository's root) with Django on the test database."""
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DATABASE_CONN_MAX_AGE": "0"}
    return subprocess.run([sys.executable, script, *args], cwd=ROOT, env=env, capture_output=True, timeout=60)
