"""Web pages of the WMS bridge: connections, their settings, test, sync now, history; the webhook."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.models import Role
from accounts.tenancy import AccountViewMixin
from config.web import form_errors_from
from wmsbridge import selectors, services
from wmsbridge.forms import ConnectionForm, SyncNowForm
from wmsbridge.models import SyncRun, WmsConnection
from wmsbridge.webhooks import MalformedWebhook, webhook_receive


def webhook_url(request, connection: WmsConnection) -> str:
    return request.build_absolute_uri(reverse("wmsbridge:webhook", args=[connection.webhook_secret]))


class _ConnectionMixin(AccountViewMixin):
    area = roles.WMS

    def get_connection(self, pk: int) -> WmsConnection:
        try:
            return selectors.connection_get(account=self.account, pk=pk)
        except WmsConnection.DoesNotExist:
            raise Http404(_("No such WMS connection."))


class ConnectionListView(_ConnectionMixin, View):
    def get(self, request):
        connections = list(selectors.connection_list(account=self.account))
        last = selectors.last_runs(connections=connections)
        rows = [{"connection": c, "last_run": last.get(c.pk)} for c in connections]
        return render(
            request,
            "wmsbridge/connection_list.html",
            {"rows": rows, "can_manage": self.tenant.has_role(Role.ADMIN)},
        )


class ConnectionCreateView(_ConnectionMixin, View):
    act = roles.Act.WRITE  # the form itself is for admins

    def get(self, request):
        return self._render(ConnectionForm(account=self.account))

    def post(self, request):
        form = ConnectionForm(request.POST, account=self.account)
        if form.is_valid():
            try:
                connection = services.connection_create(account=self.account, **form.service_values())
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("Connection “%(name)s” saved. Press Test connection to check it.")
                    % {"name": connection},
                )
                return redirect("wmsbridge:connection-detail", pk=connection.pk)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "wmsbridge/connection_form.html", {"form": form, "connection": None})


class ConnectionEditView(_ConnectionMixin, View):
    act = roles.Act.WRITE  # the form itself is for admins

    def get(self, request, pk: int):
        connection = self.get_connection(pk)
        return self._render(ConnectionForm(instance=connection, account=self.account), connection)

    def post(self, request, pk: int):
        connection = self.get_connection(pk)
        form = ConnectionForm(request.POST, instance=connection, account=self.account)
        if form.is_valid():
            values = form.service_values()
            try:
                # The form has set the fields on the instance already; the service validates and saves.
                services.connection_update(connection=connection, **values)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Connection saved."))
                return redirect("wmsbridge:connection-detail", pk=connection.pk)
        return self._render(form, connection)

    def _render(self, form, connection):
        return render(
            self.request, "wmsbridge/connection_form.html", {"form": form, "connection": connection}
        )


class ConnectionDetailView(_ConnectionMixin, View):
    def get(self, request, pk: int):
        connection = self.get_connection(pk)
        can_manage = self.tenant.has_role(Role.ADMIN)
        return render(
            request,
            "wmsbridge/connection_detail.html",
            {
                "connection": connection,
                "can_manage": can_manage,
                "webhook_url": webhook_url(request, connection) if can_manage else "",
                "sync_form": SyncNowForm(),
                "webhook_events": selectors.webhook_event_list(connection=connection),
                **_history_context(connection),
            },
        )


def _history_context(connection: WmsConnection) -> dict:
    runs = selectors.run_list(connection=connection, limit=50)
    asked = services.sync_queued_since(connection_id=connection.pk)
    return {
        "runs": runs,
        # Queued: asked for, and no run of it has started yet.
        "queued": asked is not None and not any(r.started_at >= asked for r in runs),
        "running": asked is not None or any(r.status == SyncRun.Status.RUNNING for r in runs),
        "chart": mark_safe(selectors.runs_chart_html(runs)),  # noqa: S308 - built with escaped values
        "legend": selectors.chart_legend(),
    }


class ConnectionRunsView(_ConnectionMixin, View):
    """The history table and chart alone (HTMX refreshes it while a run is in progress)."""

    def get(self, request, pk: int):
        connection = self.get_connection(pk)
        return render(
            request, "wmsbridge/_runs.html", {"connection": connection, **_history_context(connection)}
        )


class ConnectionTestView(_ConnectionMixin, View):
    def post(self, request, pk: int):
        connection = self.get_connection(pk)
        check = services.connection_test(connection=connection)
        (messages.success if check.ok else messages.error)(request, check.message)
        return redirect("wmsbridge:connection-detail", pk=connection.pk)


class ConnectionSyncView(_ConnectionMixin, View):
    def post(self, request, pk: int):
        from wmsbridge.tasks import wms_sync_connection

        connection = self.get_connection(pk)
        form = SyncNowForm(request.POST)
        kind = form.cleaned_data["kind"] if form.is_valid() else ""
        services.sync_queued_mark(connection_id=connection.pk)
        wms_sync_connection.delay_on_commit(connection.pk, [kind] if kind else None, "manual")
        messages.success(request, _("Sync started. The history below follows it as it runs."))
        return redirect("wmsbridge:connection-detail", pk=connection.pk)


class ConnectionResumeView(_ConnectionMixin, View):
    def post(self, request, pk: int):
        connection = self.get_connection(pk)
        try:
            services.connection_resume(connection=connection)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Resumed: the connection syncs again with the next 15-minute run."))
        return redirect("wmsbridge:connection-detail", pk=connection.pk)


class ConnectionDeleteView(_ConnectionMixin, View):
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        connection = self.get_connection(pk)
        try:
            services.connection_delete(connection=connection)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("wmsbridge:connection-detail", pk=connection.pk)
        messages.success(request, _("Connection “%(name)s” deleted.") % {"name": connection.name})
        return redirect("wmsbridge:connection-list")


@csrf_exempt
@require_POST
def webhook(request, secret: str):
    """Ongoing's webhook deliveries. Authenticated by the connection's secret in the URL only (Ongoing
    signs nothing); a wrong secret is a 404, a malformed body a 400, the rest 200."""
    if "\x00" in secret:  # PostgreSQL cannot compare text with NUL in it: no secret has one
        raise Http404(_("No such webhook."))
    connection = get_object_or_404(WmsConnection, webhook_secret=secret)
    try:
        receipt = webhook_receive(connection=connection, body=request.body)
    except MalformedWebhook as exc:
        return HttpResponseBadRequest(f"Malformed webhook: {exc}", content_type="text/plain")
    return JsonResponse({"result": receipt.outcome, "message": receipt.message}, status=receipt.status)
