"""``make run``: everything Hurtlink needs, in one terminal, stopped together with Ctrl-C.

Starts (or reuses) the embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are not set,
migrates, loads the demo once, then runs the web server, a Celery worker, Celery beat and the sandbox
Ongoing WMS server as child processes. Each child runs in its own process group, so stopping the
launcher stops them and everything they started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from config.embedded import BASE_DIR, EmbeddedServiceError, data_dir, ensure_services

HOST = os.environ.get("HURTLINK_HOST", "127.0.0.1")
PORT = int(os.environ.get("HURTLINK_PORT", "8000"))
SANDBOX_PORT = int(os.environ.get("HURTLINK_WMS_SANDBOX_PORT", "8100"))


def fail(message: str) -> None:
    sys.stderr.write(f"hurtlink: {message}\n")
    raise SystemExit(1)


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def run_step(step: list[str]) -> None:
    result = subprocess.run(manage(*step), check=False)  # noqa: S603
    if result.returncode != 0:
        fail(f"'manage.py {' '.join(step)}' failed (exit {result.returncode}); see above.")


def port_wait(host: str, port: int, *, seconds: float) -> bool:
    """Wait until something listens on ``host:port``; False after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not port_free(host, port):
            return True
        time.sleep(0.2)
    return False


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def children_commands(folder: Path) -> dict[str, list[str]]:
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    commands = {
        "web": manage("runserver", f"{HOST}:{PORT}", "--noreload"),
        "worker": [
            *celery,
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            "hurtlink@%h",
        ],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(folder / "celerybeat-schedule")],
    }
    if (BASE_DIR / "wmsbridge" / "management" / "commands" / "run_wms_sandbox.py").exists():
        commands["wms-sandbox"] = manage(
            "run_wms_sandbox", "--host", "127.0.0.1", "--port", str(SANDBOX_PORT),
            "--state-file", str(folder / "wms-sandbox.json"),
            "--goods-owner-id", os.environ["HURTLINK_WMS_SANDBOX_GOODS_OWNER"],
            "--goods-owner-name", "Hurtownia Demo",
            "--user", os.environ["HURTLINK_WMS_SANDBOX_USER"],
            "--password", os.environ["HURTLINK_WMS_SANDBOX_PASSWORD"],
        )  # fmt: skip
    return commands


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        remaining = max(0.1, deadline - time.monotonic())
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(remaining)
        # Whatever is left in the group (a grandchild that ignored SIGTERM) is killed.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if not port_free(HOST, PORT):
        fail(f"port {PORT} on {HOST} is taken. Stop what uses it, or set HURTLINK_PORT to another port.")
    if not port_free("127.0.0.1", SANDBOX_PORT):
        fail(f"port {SANDBOX_PORT} (sandbox WMS) is taken. Set HURTLINK_WMS_SANDBOX_PORT to another port.")
    try:
        started = ensure_services()
    except EmbeddedServiceError as exc:
        fail(str(exc))
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if started:
        print(f"Embedded services under {folder}: " + ", ".join(sorted(started)), flush=True)
    os.environ.setdefault("HURTLINK_SITE_URL", f"http://{HOST}:{PORT}")
    # The sandbox WMS the demo wholesaler's WMS connection points at.
    os.environ.setdefault("HURTLINK_WMS_SANDBOX_URL", f"http://127.0.0.1:{SANDBOX_PORT}/sandbox/")
    os.environ.setdefault("HURTLINK_WMS_SANDBOX_GOODS_OWNER", "1")
    os.environ.setdefault("HURTLINK_WMS_SANDBOX_USER", "hurtlink-demo")
    os.environ.setdefault("HURTLINK_WMS_SANDBOX_PASSWORD", "demo-wms-2026")
    # Outgoing requests to loopback are refused unless allowed: allow exactly the sandbox's host and port.
    allowed = [h for h in os.environ.get("HURTLINK_OUTBOUND_ALLOWED_HOSTS", "").split(",") if h.strip()]
    sandbox_host = f"127.0.0.1:{SANDBOX_PORT}"
    os.environ["HURTLINK_OUTBOUND_ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*allowed, sandbox_host]))

    run_step(["migrate", "--noinput", "-v", "0"])

    processes: dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        commands = children_commands(folder)
        # The sandbox WMS first: the demo's WMS connection registers its webhook with it.
        if "wms-sandbox" in commands:
            processes["wms-sandbox"] = subprocess.Popen(commands.pop("wms-sandbox"), start_new_session=True)  # noqa: S603
            port_wait("127.0.0.1", SANDBOX_PORT, seconds=20)
        run_step(["demo_setup"])
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603
        print(f"\nHurtlink is running on http://{HOST}:{PORT}/  (Ctrl-C stops everything)\n", flush=True)
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    sys.stderr.write(
                        f"hurtlink: the {name} process stopped (exit {process.returncode}); stopping.\n"
                    )
                    stopping = True
                    break
            time.sleep(0.3)
    finally:
        print("Stopping…", flush=True)
        stop_all(processes)


if __name__ == "__main__":
    main()
