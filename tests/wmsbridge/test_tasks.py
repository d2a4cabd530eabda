"""The WMS bridge's Celery tasks are redelivered, not lost, when the worker running them dies."""

from __future__ import annotations

import pytest

import wmsbridge.tasks  # noqa: F401 - registers the tasks
from config.celery import app


@pytest.mark.parametrize(
    "name", ["wmsbridge.tasks.wms_sync_connection", "wmsbridge.tasks.wms_webhook_process"]
)
def test_sync_and_webhook_tasks_are_acknowledged_late_and_requeued_when_the_worker_is_lost(name):
    task = app.tasks[name]

    assert task.acks_late is True
    assert task.reject_on_worker_lost is True


@pytest.mark.django_db
def test_a_webhook_url_with_a_null_character_is_a_404_not_a_server_error(client):
    response = client.post("/wms/webhooks/abc%00def/", data=b"{}", content_type="application/json")
    assert response.status_code == 404
