"""Celery tasks of the catalog app: they load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import translation

from catalog.imports import import_job_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_run(job_id: int, language: str | None = None) -> str:
    """Run CSV import job ``job_id`` with live progress, its messages in ``language``. Safe to deliver
    twice: a finished job is skipped, an interrupted one runs again (all-or-nothing writes, upserts by
    SKU)."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        job = import_job_run(job_id=job_id)
    return job.status if job is not None else "skipped"
