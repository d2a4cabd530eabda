"""Fixtures shared by every test: two accounts (A and B) with a user and an API token each."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import AccountFactory, ApiTokenFactory, MembershipFactory, UserFactory


def forget_connect_code_failures() -> None:
    """Wrong connection codes are counted in Redis per user and per address, and every test client
    comes from 127.0.0.1: without this, one test's wrong codes would throttle the next test's. The
    directory's messages and requests are counted per account (ids are reused between tests)."""
    from django.core.cache import cache

    client = cache._cache.get_client(None, write=True)
    keys = [
        key
        for pattern in ("*connect:code-failures:*", "*connect:directory-*")
        for key in client.scan_iter(match=pattern)
    ]
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _no_connect_code_failures_between_tests():
    forget_connect_code_failures()
    yield


@pytest.fixture(autouse=True)
def _site_language_between_tests():
    """Django's LocaleMiddleware leaves the language of the last request active in its thread; a test
    that asked for Polish pages must not make the next test's messages Polish."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def account_a(db):
    return AccountFactory(name="Alpha Wholesale")


@pytest.fixture
def account_b(db):
    return AccountFactory(name="Beta Shop")


@pytest.fixture
def user_a(account_a):
    return MembershipFactory(account=account_a, role="owner").user


@pytest.fixture
def user_b(account_b):
    return MembershipFactory(account=account_b, role="owner").user


@pytest.fixture
def client_a(client, user_a):
    client.force_login(user_a)
    return client


@pytest.fixture
def client_b(client, user_b):
    client.force_login(user_b)
    return client


@pytest.fixture
def token_a(account_a):
    return ApiTokenFactory.create_with_secret(account=account_a)


@pytest.fixture
def token_b(account_b):
    return ApiTokenFactory.create_with_secret(account=account_b)


@pytest.fixture
def api_a(token_a):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_a[1]}")
    return api


@pytest.fixture
def api_b(token_b):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_b[1]}")
    return api


@pytest.fixture
def member_user(account_a):
    """A plain member (not admin) of account A."""
    return MembershipFactory(account=account_a, role="member").user


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread of this process) consuming from the test run's Redis.

    Tasks enqueued by the code under test travel through Redis to this worker, as in production.
    Use it with ``@pytest.mark.django_db(transaction=True)`` so the worker sees committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    with start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10
    ) as worker:
        yield worker


__all__ = ["UserFactory"]


# Where the suite's time goes: after a run, the seconds spent in each test folder (setup, call and
# teardown), so that the cost of the browser tests, say, shows in every CI log.
_folder_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report) -> None:
    parts = report.nodeid.split("::", 1)[0].split("/")
    folder = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
    _folder_seconds[folder] = _folder_seconds.get(folder, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if not _folder_seconds:
        return
    terminalreporter.section("seconds per test folder")
    for folder, seconds in sorted(_folder_seconds.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds:8.1f}  {folder}")
