"""`make screenshots`: start the demo on free ports with a throw-away database, take the screenshots
(``scripts/screenshots.py``), stop everything.

    .venv/bin/python scripts/screenshots_run.py [--out docs/screenshots] [--only order-detail,...]

The demo runs exactly as ``make run`` starts it (``config.launcher``: embedded PostgreSQL and Redis, the
web server, a Celery worker and beat, the sandbox WMS), in a temporary data folder that is removed at the
end, so the screenshots never touch your own data.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"the demo stopped while starting (exit {process.returncode}); see its log above"
            )
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            if response.status == 200:  # our own loopback URL
                return
        time.sleep(1)
    raise SystemExit(f"the demo did not answer {url} within {seconds:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C to the demo's process group (the launcher stops its children), then make sure."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", default="", help="a comma list of page names (see scripts/screenshots.py)")
    args = parser.parse_args()
    port, sandbox_port = free_port(), free_port()
    data = Path(tempfile.mkdtemp(prefix="hurtlink-screenshots-"))
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        HURTLINK_PORT=str(port),
        HURTLINK_WMS_SANDBOX_PORT=str(sandbox_port),
        HURTLINK_DATA_DIR=str(data),
        PYTHONUNBUFFERED="1",
    )
    print(f"Starting the demo on port {port} (data in {data})…", flush=True)
    demo = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "config.launcher"], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base_url}/login/", demo, seconds=600)
        command = [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--base-url", base_url]
        command += ["--out", args.out] + (["--only", args.only] if args.only else [])
        result = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603
    finally:
        print("Stopping the demo…", flush=True)
        stop(demo)
        shutil.rmtree(data, ignore_errors=True)
    raise SystemExit(result.returncode)


if __name__ == "__main__":
    main()
