"""API fuzzing: schemathesis against a running Hurtlink, every operation of ``/api/schema/``.

    .venv/bin/python .ci/fuzz_api.py [--max-examples N] [--seed S] [--timeout SECONDS] [--keep]

Starts what ``make run`` starts (the sandbox WMS, the web server, a Celery worker) against a fresh
database on the same PostgreSQL server (the embedded one unless ``DATABASE_URL`` is set), loads the
demo (two accounts; the wholesaler has a catalog, orders and a WMS connection), creates an admin API
token for the wholesaler, adds through the API what the demo lacks (an automatic action, a package with
a label, a finished WMS sync run) and runs ``schemathesis run`` with the token: the examples, coverage,
fuzzing and stateful phases over every operation, with a fixed seed and number of examples: two runs
send the same requests, except where a background task changed the data meanwhile.

Fails (exit 1) when the API answered a request with a server error (5xx) or with a response its schema
does not describe (status code, content type, body, headers), or accepted a request without
credentials. What concerns input strictness (a request that looks valid refused, an invalid one
accepted) is printed but does not fail: some rules (an id must exist, a name must be unused) cannot be
written in a schema. Prints the operations, requests and unique failures, and for every server error
the exception the server logged and where. Stops everything it started and drops the database.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from config.embedded import EmbeddedServiceError, ensure_services  # noqa: E402
from config.launcher import port_wait, stop_all  # noqa: E402

DEFAULT_SEED = 20260101
DEFAULT_MAX_EXAMPLES = 50
# schemathesis ends when each phase has run once; past this it is stopped and the run fails. (Its own
# --max-time is no bound: it repeats fuzzing until the time is spent.)
DEFAULT_TIMEOUT = 600
# Failures of these checks fail the run: the server broke, answered outside its schema, or let a
# request without credentials in.
FATAL_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
}
SANDBOX = {"goods_owner": "1", "user": "hurtlink-fuzz", "password": "fuzz-wms-2026"}
# A record in the log format of config/settings.py; gunicorn's own lines start with "[<date>".
RECORD_START = re.compile(r"^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ |\[\d{4}-)", re.M)
FRAME = re.compile(r'  File "([^"]+)", line (\d+), in (\S+)')


def say(message: str) -> None:
    print(f"fuzz: {message}", flush=True)


# --- the app under test ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url_named(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def database_recreate(url: str, name: str, *, create: bool = True) -> None:
    """Drop database ``name`` on the server of ``url`` (closing its connections), then create it empty."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    server = dj_database_url.parse(url)
    with psycopg.connect(
        host=server["HOST"] or None,
        port=server["PORT"] or None,
        user=server["USER"] or None,
        password=server["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def account_prepare() -> tuple[str, int]:
    """Migrate, load the demo; an admin token of the demo wholesaler (its secret and id)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connections

    from accounts.demo import DEMO_USERS, demo_setup
    from accounts.models import Membership, Role
    from accounts.services import api_token_create

    demo_setup()
    account = Membership.objects.get(user__email=DEMO_USERS[0].email, role=Role.OWNER).account
    token, secret = api_token_create(account=account, name="API fuzzing", role=Role.ADMIN)
    connections.close_all()
    return secret, token.pk


def spawn(command: list[str], log: Path) -> subprocess.Popen:
    """A child in its own process group (stopping the group stops what it started), output to ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603 (our own commands)
            command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )


def app_start(work: Path, *, sandbox_port: int, logs: dict[str, Path]) -> dict:
    """The sandbox WMS (the demo's WMS connection registers a webhook with it while it is loaded)."""
    processes = {}
    processes["sandbox"] = spawn(
        [
            sys.executable, str(ROOT / "manage.py"), "run_wms_sandbox",
            "--host", "127.0.0.1", "--port", str(sandbox_port),
            "--state-file", str(work / "wms-sandbox.json"),
            "--goods-owner-id", SANDBOX["goods_owner"], "--goods-owner-name", "Hurtownia Demo",
            "--user", SANDBOX["user"], "--password", SANDBOX["password"],
        ],
        logs["sandbox"],
    )  # fmt: skip
    port_wait("127.0.0.1", sandbox_port, seconds=20)
    return processes


def app_serve(*, port: int, logs: dict[str, Path], processes: dict) -> None:
    """gunicorn and a Celery worker, as in production."""
    bin_dir = Path(sys.executable).parent
    processes["web"] = spawn(
        [
            str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "2", "--timeout", "120",
            # A long URL is for the API to answer; the front server's limit is not under test.
            "--limit-request-line", "0",
        ],
        logs["web"],
    )  # fmt: skip
    processes["worker"] = spawn(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
            "--loglevel", "ERROR", "--hostname", f"fuzz-{os.getpid()}@%h",
        ],
        logs["worker"],
    )  # fmt: skip


def wait_http(url: str, *, seconds: float, processes: dict) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                say(f"the {name} process stopped (exit {process.returncode}) while starting")
                return False
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            if response.status == 200:
                return True
        time.sleep(0.3)
    return False


def api_call(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(  # noqa: S310 (our own server on loopback)
        f"{base}/api/v1/{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"{}")


def data_through_api(base: str, token: str) -> None:
    """What the demo lacks and some operations need to be reached at all: an automatic action, a
    package with a label and a finished WMS sync run (the worker runs it against the sandbox)."""
    rule = {
        "name": "Note on new orders",
        "event": "order_created",
        "actions": [{"type": "add_comment", "text": "Seen by the API fuzzing."}],
    }
    api_call(base, token, "POST", "automation-rules/", rule)
    order = api_call(base, token, "GET", "orders/?page_size=1")["results"][0]["id"]
    api_call(base, token, "POST", "packages/", {"order": order, "courier_code": "hurtlink"})
    connection = api_call(base, token, "GET", "wms-connections/")["results"][0]["id"]
    api_call(base, token, "POST", f"wms-connections/{connection}/sync/", {"kinds": ["articles"]})
    deadline = time.monotonic() + 120
    while not any(run["finished_at"] for run in api_call(base, token, "GET", "wms-sync-runs/")["results"]):
        if time.monotonic() > deadline:
            raise RuntimeError("the WMS sync run queued for the fuzzing did not finish within 120 s")
        time.sleep(0.5)


def schemathesis_run(args, *, base: str, token: str, token_id: int, reports: Path, log: Path) -> int:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{base}/api/schema/",
        "--header", f"Authorization: Bearer {token}",
        "--seed", str(args.seed),
        "--max-examples", str(args.max_examples),
        "--report", "ndjson", "--report-dir", str(reports),
        "--no-color",
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HERE / "fuzz_hooks.py"),
        "HURTLINK_FUZZ_TOKEN_ID": str(token_id),
    }
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own command)
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=reports.parent, start_new_session=True
        )
        try:
            return process.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            say(f"schemathesis did not finish within {args.timeout} s; stopped")
            stop_all({"schemathesis": process})
            return 124


# --- what happened -------------------------------------------------------------------------------------


def logged_errors(log_text: str) -> list[dict]:
    """Every distinct error of a log (a request that answered 500, a task that failed): what, the
    exception, the innermost frame of our code it came from (else of the library), and how often."""
    found: dict[tuple, dict] = {}
    starts = [match.start() for match in RECORD_START.finditer(log_text)] + [len(log_text)]
    for start, end in itertools.pairwise(starts):
        lines = log_text[start:end].rstrip().splitlines()
        if not re.search(r" (ERROR|CRITICAL) ", lines[0]):
            continue
        head = lines[0].split(": ", 1)[-1]
        request, task = re.search(r"Internal Server Error: (\S+)", head), re.search(r"Task ([\w.]+)\[", head)
        what = re.sub(
            r"/\d+/", "/{id}/", request.group(1) if request else task.group(1) if task else head[:160]
        )
        frames = [i for i, line in enumerate(lines) if FRAME.match(line)]
        # The exception is the first line after the last frame (and its source lines) that is not indented.
        exception = (
            next((line for line in lines[frames[-1] + 1 :] if not line.startswith(" ")), "") if frames else ""
        )
        located = [FRAME.match(lines[i]).groups() for i in frames]
        ours = [f for f in located if f[0].startswith(str(ROOT)) and "site-packages" not in f[0]]
        where = ""
        if ours or located:
            path, line, function = (ours or located)[-1]
            path = path[len(str(ROOT)) + 1 :] if ours else path.split("site-packages/")[-1]
            where = f"{path}:{line} in {function}"
        key = (what, exception.split(":")[0], where)
        entry = found.setdefault(
            key, {"what": what, "exception": exception[:300], "where": where, "count": 0}
        )
        entry["count"] += 1
    return sorted(found.values(), key=lambda e: (e["what"], e["exception"]))


def run_results(reports: Path) -> dict:
    """Operations, requests and unique failures, from schemathesis' NDJSON events."""
    results = {"selected": 0, "tested": set(), "requests": 0, "failures": {}, "errors": [], "finished": False}
    for path in sorted(reports.glob("*.ndjson")):
        with path.open() as events:
            for line in events:
                kind, event = next(iter(json.loads(line).items()))
                if kind == "LoadingFinished":
                    results["selected"] = event.get("statistic", {}).get("operations", {}).get("selected", 0)
                elif kind == "EngineFinished":
                    results["finished"] = True
                elif kind in ("NonFatalError", "FatalError"):
                    info = event.get("info", {})
                    results["errors"].append(
                        f"{event.get('label', '')}: {info.get('title', '')} {info.get('message', '')}"
                    )
                elif kind == "ScenarioFinished":
                    scenario_results(event, results)
    return results


def scenario_results(event: dict, results: dict) -> None:
    recorder = event.get("recorder", {})
    interactions = recorder.get("interactions", {})
    results["requests"] += len(interactions)
    if interactions and re.match(r"^[A-Z]+ /", recorder.get("label", "")):  # not "Stateful tests"
        results["tested"].add(recorder["label"])
    for case_id, checks in recorder.get("checks", {}).items():
        for check in checks:
            if check.get("status") != "failure":
                continue
            failure = check["failure_info"]["failure"]
            message = " ".join(failure.get("message", "").split("\n")[:2])
            key = (
                check["name"],
                failure.get("operation") or recorder.get("label"),
                failure.get("title"),
                message,
            )
            if key in results["failures"]:
                continue
            interaction = interactions.get(case_id) or {}
            request, response = interaction.get("request") or {}, interaction.get("response") or {}
            body = (
                (request.get("body") or {}).get("$base64") if isinstance(request.get("body"), dict) else None
            )
            results["failures"][key] = {
                "code": failure.get("code", ""),
                "phase": event.get("phase"),
                "request": f"{request.get('method', '')} {request.get('uri', '')}",
                "body": base64.b64decode(body).decode(errors="replace") if body else "",
                "status": response.get("status_code"),
            }


def report(work: Path, logs: dict[str, Path], *, exit_code: int, seconds: float, args) -> int:
    results = run_results(work / "reports")
    web_errors = logged_errors(logs["web"].read_text(errors="replace"))
    task_errors = logged_errors(logs["worker"].read_text(errors="replace"))
    failures = results["failures"]
    server_errors = {key[1] for key in failures if key[0] == "not_a_server_error"}
    fatal = {
        key: value
        for key, value in failures.items()
        if key[0] in FATAL_CHECKS
        # A 500 is reported once, as a server error, not again as an undocumented status code.
        and not (
            key[0] == "status_code_conformance" and key[1] in server_errors and (value["status"] or 0) >= 500
        )
    }
    by_check = Counter((key[0], value["code"], key[2]) for key, value in failures.items())

    print("\n== API fuzzing")
    print(
        f"{len(results['tested'])} of {results['selected']} operations, {results['requests']} requests in "
        f"{seconds:.0f} s (seed {args.seed}, up to {args.max_examples} examples per operation and phase)"
    )
    for (check, code, title), count in sorted(by_check.items(), key=lambda item: item[0][1]):
        print(f"  {code:6} {title:38} {count:4} unique  {'FAILS' if check in FATAL_CHECKS else 'reported'}")
    if fatal:
        print("\nserver errors and answers the schema does not describe:")
        for (_check, operation, title, message), value in sorted(fatal.items(), key=lambda item: item[0][1]):
            print(f"  {operation}: {title} {message} ({value['phase']} phase)\n    {value['request'][:300]}")
            if value["body"]:
                print(f"    {value['body'][:300]!r}")
    for heading, errors in (
        ("what the web server logged (distinct)", web_errors),
        ("background tasks that failed (reported)", task_errors),
    ):
        if errors:
            print(f"\n{heading}:")
            for error in errors:
                print(f"  {error['what']} x{error['count']}: {error['exception']}\n    at {error['where']}")
    other = defaultdict(set)
    for (check, operation, title, _message), value in failures.items():
        if check not in FATAL_CHECKS:
            other[(value["code"], title)].add(f"{operation} ({value['status']})")
    if other:
        print("\nreported, not failing (rules a schema cannot state, or the API is lenient):")
        for (code, title), operations in sorted(other.items()):
            print(f"  {code} {title}: {', '.join(sorted(operations))}")
    warnings = re.search(
        r"=+ WARNINGS =+\n(.*?)\n=+ SUMMARY", logs["schemathesis"].read_text(errors="replace"), re.S
    )
    if warnings:
        print("\nschemathesis warnings:\n" + warnings.group(1).strip())
    if results["errors"]:
        print("\nschemathesis could not test:")
        for error in results["errors"][:50]:
            print(f"  {error[:300]}")

    broken = (
        bool(fatal or web_errors or results["errors"]) or not results["finished"] or exit_code not in (0, 1)
    )
    summary = {
        "operations": len(results["tested"]),
        "requests": results["requests"],
        "unique_failures": len(failures),
        "failing": len(fatal),
        "server_errors_logged": sum(e["count"] for e in web_errors),
        "task_errors_logged": sum(e["count"] for e in task_errors),
        "seconds": round(seconds),
        "ok": not broken,
    }
    print(json.dumps(summary))
    return 1 if broken else 0


# --- the run -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES, help="per operation and phase"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds schemathesis may take")
    parser.add_argument(
        "--database", default="", help="name of the throw-away database (default: <name>_fuzz)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs to look at them")
    args = parser.parse_args()

    started = time.monotonic()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        ensure_services()
    except EmbeddedServiceError as exc:
        say(str(exc))
        return 1
    server_url = os.environ["DATABASE_URL"]
    name = args.database or (urlsplit(server_url).path.lstrip("/") or "hurtlink") + "_fuzz"
    database_recreate(server_url, name)
    work = Path(tempfile.mkdtemp(prefix="hurtlink-fuzz-"))
    port, sandbox_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "DATABASE_URL": database_url_named(server_url, name),
            "MEDIA_ROOT": str(work / "media"),
            # As in production: JSON only (no browsable API), plain error pages; the log has errors only.
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "PYTHONUNBUFFERED": "1",
            "HURTLINK_SITE_URL": base,
            "HURTLINK_WMS_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}/sandbox/",
            "HURTLINK_WMS_SANDBOX_GOODS_OWNER": SANDBOX["goods_owner"],
            "HURTLINK_WMS_SANDBOX_USER": SANDBOX["user"],
            "HURTLINK_WMS_SANDBOX_PASSWORD": SANDBOX["password"],
            # Outgoing requests to loopback are refused unless allowed: exactly the sandbox (as make run).
            "HURTLINK_OUTBOUND_ALLOWED_HOSTS": f"127.0.0.1:{sandbox_port}",
        }
    )
    logs = {process: work / f"{process}.log" for process in ("sandbox", "web", "worker", "schemathesis")}
    processes: dict[str, subprocess.Popen] = {}
    try:
        processes.update(app_start(work, sandbox_port=sandbox_port, logs=logs))
        token, token_id = account_prepare()
        app_serve(port=port, logs=logs, processes=processes)
        if not wait_http(f"{base}/healthz", seconds=60, processes=processes):
            say("the web server did not answer /healthz:\n" + logs["web"].read_text(errors="replace")[-3000:])
            return 1
        try:
            data_through_api(base, token)
        except (OSError, RuntimeError, KeyError, IndexError) as exc:
            say(f"preparing data through the API failed: {exc}")
            return 1
        say(
            f"database {name} with the demo, app on {base} ({time.monotonic() - started:.0f} s); "
            f"schemathesis, seed {args.seed}, {args.max_examples} examples, at most {args.timeout} s"
        )
        fuzz_started = time.monotonic()
        exit_code = schemathesis_run(
            args,
            base=base,
            token=token,
            token_id=token_id,
            reports=work / "reports",
            log=logs["schemathesis"],
        )
        seconds = time.monotonic() - fuzz_started
        code = report(work, logs, exit_code=exit_code, seconds=seconds, args=args)
        try:
            api_call(base, token, "GET", "account/")
        except urllib.error.HTTPError as exc:
            # Everything after the loss only got 401s: the run tested far less than it says.
            say(f"the fuzzing lost its token during the run ({exc.code}); fix .ci/fuzz_hooks.py")
            code = 1
        return code
    finally:
        stop_all(processes)
        if args.keep:
            say(f"kept the database {name} and the logs in {work}")
        else:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            database_recreate(server_url, name, create=False)
            shutil.rmtree(work, ignore_errors=True)
        say(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
