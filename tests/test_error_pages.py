"""Error pages keep the site's layout and offer a way back; refused requests log one line, no traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_a_missing_page_has_the_layout_and_a_way_back(client_a):
    response = client_a.get("/orders/999999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "This page does not exist" in body
    assert 'href="/"' in body and "Go to the dashboard" in body
    assert 'aria-label="Active account"' in body  # the navigation is there


@pytest.mark.django_db
def test_a_member_refused_an_admin_page_is_told_why(client, account_a, member_user):
    client.force_login(member_user)
    response = client.post("/catalog/settings/warehouses/", {"name": "Outlet"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "You cannot do this here" in body
    assert "admin" in body.lower()


def _console_handlers(logger_name: str) -> list[logging.Handler]:
    """The project's handlers a record of ``logger_name`` reaches (pytest's own capture left out)."""
    found, logger = [], logging.getLogger(logger_name)
    while logger is not None:
        found += [h for h in logger.handlers if type(h).__module__.startswith("logging")]
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.django_db
def test_a_refused_request_is_logged_once_without_a_traceback(client, account_a, member_user, caplog):
    client.force_login(member_user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.post("/catalog/settings/warehouses/", {"name": "Outlet"})
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    (console,) = _console_handlers("django.request")  # printed once, not by two handlers
    assert console.filter(record)
    printed = console.format(record)
    assert "Forbidden" in printed
    assert "Traceback" not in printed


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_server_error_page_needs_no_database_and_says_nothing_was_half_saved():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert "nothing was half-saved" in html


def test_the_logging_filter_keeps_server_errors_whole():
    from config.logging_filters import ClientErrorsWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal", None, exc_info)
    record.status_code = 500
    ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None
    record.status_code = 403
    ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is None


@pytest.mark.django_db
def test_a_missing_page_has_the_sites_layout_under_debug_too(client_a, settings):
    """`make run` runs with DEBUG on: another account's order must not show Django's URL list."""
    settings.DEBUG = True
    response = client_a.get("/orders/999999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "This page does not exist" in body and "Go to the dashboard" in body
    assert "URLconf" not in body and "Using the URLconf" not in body
