"""The run command's failure modes: a person gets a clear message, not a stack trace."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from config.embedded import EmbeddedServiceError, start_redis

ROOT = Path(__file__).resolve().parents[2]


def test_embedded_redis_in_an_unusable_folder_says_what_to_do(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(EmbeddedServiceError) as failure:
        start_redis(blocker / "redis")
    message = str(failure.value)
    assert "not writable" in message and "REDIS_URL" in message


def test_run_command_refuses_a_taken_port_with_a_clear_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "HURTLINK_PORT": str(port)}
        result = subprocess.run(
            [sys.executable, "-m", "config.launcher"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "HURTLINK_PORT" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("command", "kept"), [("runserver", 0), ("celery", 60)])
def test_the_development_server_keeps_no_connection_that_would_outlive_its_request_thread(command, kept):
    """Under runserver every request has a thread of its own: a connection kept for the next request
    would stay open after its thread ends, until PostgreSQL refuses clients (seen under parallel API
    calls against `make run`). Other processes keep theirs for a minute."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_CONN_MAX_AGE"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv = ['manage.py', sys.argv[1]]; from config import settings; "
            "print(settings.DATABASES['default']['CONN_MAX_AGE'])",
            command,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(kept)
