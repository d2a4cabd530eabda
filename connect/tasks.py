"""Celery tasks of Connect: they load by id and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def connect_import_job_run(job_id: int) -> str:
    """Run a Connect import job with live progress. Safe to deliver twice: a finished job is skipped, an
    interrupted one runs again (matching by link; unchanged rows are not written)."""
    from connect.imports import connect_import_job_run as run

    job = run(job_id=job_id)
    return job.status if job is not None else "skipped"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def connect_import_refresh(import_id: int) -> str:
    """One continuous import in full (a supplier change too large to follow product by product)."""
    from connect.imports import connect_import_refresh as refresh

    return "ran" if refresh(import_id=import_id, trigger="change") is not None else "skipped"


@shared_task
def connect_imports_refresh_all() -> int:
    """Every 15 minutes: each continuous import whose link is open runs in full (new shared products
    appear, changes follow, products no longer shared are marked)."""
    from connect.imports import connect_imports_refresh_all as refresh_all

    return refresh_all()
