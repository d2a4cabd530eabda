"""Web pages of Connect (Integrations → Connect).

Provider side: generate a connection code; the integration's tabs Connection (code, settings),
Statuses, Contractors (list; edit with range, state, trade credit and ledger) and Publish. Contractor
side: I have a connection code (verify, then settings); the tabs Connection, Products, Prices, Stock and
Statuses as the provider offers them. Thin: forms parse, services decide (roles included), selectors
read; another account's integration or contractor is a 404.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import roles
from accounts.tenancy import AccountViewMixin
from config.paging import in_id_order, page_of_ids
from connect import directory, forms, selectors, services, shared_catalog, sync
from connect.codes import code_display
from connect.models import ConnectIntegration, ConnectionRequest, ContractorLink, StatusMapping
from orders.models import CustomButton, Order, OrderStatus

PROVIDER = ConnectIntegration.Role.PROVIDER
CONTRACTOR = ConnectIntegration.Role.CONTRACTOR


def client_ip(request) -> str | None:
    """The address a request came from, for counting wrong codes per address.

    REMOTE_ADDR only: behind a reverse proxy the server must be given the client's address (e.g.
    gunicorn's ``--proxy-protocol``); trusting a header such as X-Forwarded-For that the client can
    write itself would let it choose a fresh address for every guess.
    """
    return request.META.get("REMOTE_ADDR") or None


def errors_to_forms(exc: ValidationError, main, sections: dict | None = None) -> None:
    """A service's ValidationError on the page's forms: ``orders.<field>`` / ``sharing.<field>`` on
    the section's form, other fields on ``main``, the rest on top of ``main``."""
    sections = sections or {}
    if not hasattr(exc, "error_dict"):
        main.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        prefix, _dot, field = key.partition(".")
        form, name = (sections[prefix], field) if field and prefix in sections else (main, key)
        form.add_error(name if name in form.fields else None, errors)


def contractor_form_valid(form, *, account, orders: bool, products: bool) -> bool:
    """The form's own checks and the service's in one pass, so that every error shows at once (a
    field the form refused is not judged again)."""
    valid = form.is_valid()
    errors = services.contractor_settings_errors(
        account=account,
        orders=orders,
        products=products,
        display_name=form.cleaned_data.get("display_name", "-") if "display_name" in form.fields else "-",
        settings=form.service_values(),
    )
    for key, messages_ in errors.items():
        if key in form.fields and key not in form.errors:  # fields of other tabs keep their values
            form.add_error(key, messages_)
    return valid and not form.errors


class _ConnectMixin(AccountViewMixin):
    # The matrix (accounts.roles) asks for an admin before any write; the services decide again, so
    # the REST API and the BaseLinker-compatible API obey the same rule.
    area = roles.CONNECT

    def manager_required(self) -> None:
        """Writes are decided by the services; asking first keeps a member's form from being parsed."""
        services.require_manager(self.tenant)

    @property
    def can_manage(self) -> bool:
        return services.can_manage(self.tenant)

    def provider(self, pk: int, *, include_deleted: bool = False) -> ConnectIntegration:
        return selectors.integration_get(
            account=self.account, pk=pk, role=PROVIDER, include_deleted=include_deleted
        )

    def supplier(self, pk: int) -> ConnectIntegration:
        return selectors.integration_get(account=self.account, pk=pk, role=CONTRACTOR)

    def contractor(self, integration_pk: int, pk: int, *, include_deleted: bool = False) -> ContractorLink:
        return selectors.contractor_get(
            account=self.account, integration_pk=integration_pk, pk=pk, include_deleted=include_deleted
        )


# ------------------------------------------------------------------------------------------- list


class IntegrationListView(_ConnectMixin, View):
    """Integrations → Connect: what the account provides and whom it is connected to."""

    def get(self, request):
        providers = (
            selectors.integration_list(account=self.account, role=PROVIDER)
            .annotate(
                contractor_count=Count(
                    "contractor_links", filter=Q(contractor_links__disconnected_at__isnull=True)
                )
            )
            .order_by("display_name", "id")
        )
        supplier_links = (
            ContractorLink.objects.filter(
                contractor_account=self.account, contractor_integration__deleted_at__isnull=True
            )
            .select_related("contractor_integration", "provider_integration", "provider_account")
            .prefetch_related(
                # The last connection request the account sent, so a link that still waits says so.
                Prefetch(
                    "requests",
                    queryset=ConnectionRequest.objects.filter(contractor_account=self.account).order_by(
                        "-created_at", "-id"
                    ),
                    to_attr="request_list",
                )
            )
            .order_by("contractor_integration__display_name", "id")
        )
        return render(
            request,
            "connect/integration_list.html",
            {
                "providers": providers,
                "deleted_providers": selectors.deleted_provider_list(account=self.account),
                "supplier_links": supplier_links,
                "can_manage": self.can_manage,
            },
        )


# --------------------------------------------------------------------------------- provider side


def _provider_forms(request, account, integration: ConnectIntegration | None):
    data = request.POST if request.method == "POST" else None
    basics_initial = {}
    if integration is not None:
        basics_initial = {
            "display_name": integration.display_name,
            "code_name": integration.code_name,
            "orders_enabled": integration.orders_enabled,
            "products_enabled": integration.products_enabled,
        }
    basics = forms.ProviderBasicsForm(data, initial=basics_initial, fixed=integration is not None)
    order_instance = getattr(integration, "order_settings", None) if integration else None
    sharing_instance = getattr(integration, "sharing_settings", None) if integration else None
    orders_form = forms.ProviderOrderSettingsForm(data, instance=order_instance, account=account)
    sharing_form = forms.ProviderSharingSettingsForm(data, instance=sharing_instance, account=account)
    return basics, orders_form, sharing_form


class ProviderCreateView(_ConnectMixin, View):
    """*Generate a connection code*: names, the two switches (fixed from now on) and their settings."""

    act = roles.Act.WRITE  # the form itself is for admins

    def get(self, request):
        self.manager_required()
        basics, orders_form, sharing_form = _provider_forms(request, self.account, None)
        basics.initial = {"display_name": self.account.name, "orders_enabled": True}
        return self._render(basics, orders_form, sharing_form)

    def post(self, request):
        self.manager_required()
        basics, orders_form, sharing_form = _provider_forms(request, self.account, None)
        if basics.is_valid():
            orders_on = basics.cleaned_data["orders_enabled"]
            products_on = basics.cleaned_data["products_enabled"]
            sections_ok = (not orders_on or orders_form.is_valid()) & (
                not products_on or sharing_form.is_valid()
            )
            if sections_ok:
                try:
                    integration, code = services.provider_create(
                        actor=self.tenant,
                        display_name=basics.cleaned_data["display_name"],
                        code_name=basics.cleaned_data["code_name"],
                        orders_enabled=orders_on,
                        products_enabled=products_on,
                        order_settings=orders_form.service_values() if orders_on else None,
                        sharing_settings=sharing_form.service_values() if products_on else None,
                    )
                except ValidationError as exc:
                    errors_to_forms(exc, basics, {"orders": orders_form, "sharing": sharing_form})
                else:
                    messages.success(
                        request,
                        _("Integration “%(name)s” created. Give the code below to your partner.")
                        % {"name": integration.display_name},
                    )
                    return redirect("connect:provider-detail", pk=integration.pk)
        return self._render(basics, orders_form, sharing_form)

    def _render(self, basics, orders_form, sharing_form):
        return render(
            self.request,
            "connect/provider_form.html",
            {"basics": basics, "orders_form": orders_form, "sharing_form": sharing_form, "integration": None},
        )


class _ProviderTabMixin(_ConnectMixin):
    tab = ""

    def tab_context(self, integration: ConnectIntegration) -> dict:
        # A deleted integration's pages are read-only (its ledgers and history stay readable).
        can_manage = self.can_manage and integration.deleted_at is None
        return {"integration": integration, "tab": self.tab, "can_manage": can_manage}


class ProviderDetailView(_ProviderTabMixin, View):
    """Tab **Connection**: the code (copy, regenerate) and every setting, editable but the switches."""

    tab = "connection"

    def get(self, request, pk: int):
        integration = self.provider(pk, include_deleted=True)
        return self._render(integration, *_provider_forms(request, self.account, integration))

    def post(self, request, pk: int):
        integration = self.provider(pk)
        self.manager_required()
        basics, orders_form, sharing_form = _provider_forms(request, self.account, integration)
        valid = basics.is_valid()
        valid &= not integration.orders_enabled or orders_form.is_valid()
        valid &= not integration.products_enabled or sharing_form.is_valid()
        if valid:
            try:
                services.provider_update(
                    actor=self.tenant,
                    integration=integration,
                    display_name=basics.cleaned_data["display_name"],
                    code_name=basics.cleaned_data["code_name"],
                    order_settings=orders_form.service_values() if integration.orders_enabled else None,
                    sharing_settings=sharing_form.service_values() if integration.products_enabled else None,
                )
            except ValidationError as exc:
                errors_to_forms(exc, basics, {"orders": orders_form, "sharing": sharing_form})
            else:
                messages.success(request, _("Settings saved."))
                return redirect("connect:provider-detail", pk=integration.pk)
        return self._render(integration, basics, orders_form, sharing_form)

    def _render(self, integration, basics, orders_form, sharing_form):
        readable = self.can_manage and integration.deleted_at is None
        code = selectors.provider_code(integration=integration) if readable else None
        return render(
            self.request,
            "connect/provider_detail.html",
            {
                **self.tab_context(integration),
                "code": code,
                "code_created_at": selectors.provider_code_created_at(integration=integration),
                "basics": basics,
                "orders_form": orders_form,
                "sharing_form": sharing_form,
            },
        )


class ProviderRegenerateView(_ProviderTabMixin, View):
    def post(self, request, pk: int):
        integration = self.provider(pk)
        code = services.code_regenerate(actor=self.tenant, integration=integration)
        messages.success(
            request,
            _("New code %(code)s. The old code no longer admits new contractors; connected ones stay.")
            % {"code": code_display(code)},
        )
        return redirect("connect:provider-detail", pk=integration.pk)


class ProviderDeleteView(_ProviderTabMixin, View):
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        integration = self.provider(pk)
        services.integration_delete(actor=self.tenant, integration=integration)
        messages.success(
            request,
            _(
                "Integration “%(name)s” deleted; its code no longer works and its contractors are "
                "disconnected."
            )
            % {"name": integration.display_name},
        )
        return redirect("connect:integration-list")


class ProviderPublishView(_ProviderTabMixin, View):
    """Tab **Publish**: private or public in the partner directory; the entry, its verification state
    (draft, waiting, verified, rejected with the reason) and what the directory lists now."""

    tab = "publish"

    def get(self, request, pk: int):
        integration = self.provider(pk)
        publication = directory.publication_for_provider(integration=integration)
        return self._render(integration, publication, self._form(integration, publication))

    def post(self, request, pk: int):
        integration = self.provider(pk)
        self.manager_required()
        publication = directory.publication_for_provider(integration=integration)
        form = self._form(integration, publication, request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = directory.publication_save(
                    actor=self.tenant,
                    integration=integration,
                    logo=form.logo_bytes(),
                    **form.service_values(),
                )
            except ValidationError as exc:
                errors_to_forms(exc, form)
            else:
                messages.success(request, _publish_message(saved))
                return redirect("connect:provider-publish", pk=integration.pk)
        return self._render(integration, publication, form)

    def _form(self, integration, publication, data=None, files=None):
        if publication is None:
            initial = directory.publication_initial(integration=integration)
        else:
            initial = {f: getattr(publication, f) for f in directory.PUBLICATION_FIELDS}
        initial["is_public"] = "1" if initial["is_public"] else "0"
        return forms.PublicationForm(data, files, initial=initial, products=integration.products_enabled)

    def _render(self, integration, publication, form):
        logo = None
        if publication is not None and publication.logo:
            logo = f"data:{publication.logo_type};base64,{base64.b64encode(bytes(publication.logo)).decode()}"
        return render(
            self.request,
            "connect/provider_publish.html",
            {
                **self.tab_context(integration),
                "publication": publication,
                "form": form,
                "logo_data": logo,
                "pending": directory.pending_request_list(account=self.account, integration=integration),
            },
        )


def _publish_message(publication) -> str:
    State = publication.State
    if publication.state == State.WAITING:
        if publication.listed_at is not None:
            return _(
                "Saved. The changes wait for verification; the directory shows the verified text until then."
            )
        return _("Saved and sent for verification. The entry appears in the directory once it is verified.")
    if publication.state == State.VERIFIED:
        if publication.is_public:
            return _("Saved.")
        return _(
            "Saved. The entry is private: it is not listed in the directory. It stays verified: make it "
            "public to list it again."
        )
    if publication.state == State.REJECTED:
        return _("Saved. The entry stays rejected until you change what the reason says.")
    # A draft: private, never sent for verification (or changed since).
    return _(
        "Saved. The entry is private: it is not listed in the directory and has not been sent for "
        "verification."
    )


class RequestAnswerView(_ProviderTabMixin, View):
    """Accept or reject a pending connection request (Contractors tab, Publish tab, dashboard)."""

    def post(self, request, pk: int, request_pk: int):
        integration = self.provider(pk)
        self.manager_required()
        connection_request = directory.request_get_for_provider(
            account=self.account, pk=request_pk, integration_pk=integration.pk
        )
        form = forms.RequestAnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose accept or reject."))
        else:
            accept = form.cleaned_data["answer"] == "accept"
            try:
                directory.request_answer(
                    actor=self.tenant,
                    request=connection_request,
                    accept=accept,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                name = connection_request.contractor_account.name
                messages.success(
                    request,
                    (
                        _("%(name)s accepted: it is an active contractor now.")
                        if accept
                        else _("%(name)s rejected.")
                    )
                    % {"name": name},
                )
        target = request.POST.get("next", "")
        if target == "home":
            return redirect("home")
        return redirect("connect:provider-contractors", pk=integration.pk)


# ------------------------------------------------------------------------------------- statuses


def _mapping_forms(request, *, tenant, link: ContractorLink | None, data=None) -> list:
    if link is None or not link.is_open:
        return []
    own = list(OrderStatus.objects.filter(account=tenant.account).order_by("position", "id"))
    partner = selectors.partner_status_list(link=link, account=tenant.account)
    rows = list(selectors.status_mapping_list(account=tenant.account, link=link))
    result = []
    for direction in (StatusMapping.Direction.SEND, StatusMapping.Direction.RECEIVE):
        if direction == StatusMapping.Direction.SEND:
            current = {m.local_status_id: m.remote_status_id for m in rows if m.direction == direction}
        else:
            current = {m.remote_status_id: m.local_status_id for m in rows if m.direction == direction}
        bound = data if data is not None and data.get("action") == direction else None
        result.append(
            forms.StatusMappingForm(bound, direction=direction, own=own, partner=partner, current=current)
        )
    return result


class _StatusesMixin:
    """The Statuses tab of either side: the two switches and, per link, the two mapping tables."""

    template = ""

    def statuses_post(self, request, integration, link, redirect_to: str):
        self.manager_required()
        action = request.POST.get("action")
        switches = forms.StatusSwitchesForm(request.POST if action == "switches" else None)
        tables = _mapping_forms(request, tenant=self.tenant, link=link, data=request.POST)
        if action == "switches" and switches.is_valid():
            services.integration_statuses_update(
                actor=self.tenant, integration=integration, **switches.cleaned_data
            )
            messages.success(request, _("Saved."))
            return redirect(redirect_to)
        table = next((t for t in tables if t.direction == action), None)
        if table is not None and table.is_valid():
            try:
                services.status_mappings_replace(
                    actor=self.tenant, link=link, direction=action, pairs=table.pairs()
                )
            except ValidationError as exc:
                errors_to_forms(exc, table)
            else:
                messages.success(request, _("Mapping saved."))
                return redirect(redirect_to)
        return None, switches, tables

    def switches_form(self, integration):
        return forms.StatusSwitchesForm(
            initial={
                "send_statuses": integration.send_statuses,
                "receive_statuses": integration.receive_statuses,
            }
        )


class ProviderStatusesView(_ProviderTabMixin, _StatusesMixin, View):
    tab = "statuses"

    def _link(self, integration, request) -> tuple[list, ContractorLink | None]:
        links = list(selectors.provider_links_for_mapping(integration=integration))
        wanted = request.POST.get("contractor") or request.GET.get("contractor")
        chosen = next((link for link in links if str(link.pk) == wanted), links[0] if links else None)
        return links, chosen

    def get(self, request, pk: int):
        integration = self.provider(pk)
        links, link = self._link(integration, request)
        tables = _mapping_forms(request, tenant=self.tenant, link=link)
        return self._render(integration, self.switches_form(integration), tables, links, link)

    def post(self, request, pk: int):
        integration = self.provider(pk)
        links, link = self._link(integration, request)
        target = reverse("connect:provider-statuses", args=[integration.pk])
        if link is not None:
            target += f"?contractor={link.pk}"
        result = self.statuses_post(request, integration, link, target)
        if not isinstance(result, tuple):
            return result
        _none, switches, tables = result
        return self._render(integration, switches, tables, links, link)

    def _render(self, integration, switches, tables, links, link):
        return render(
            self.request,
            "connect/provider_statuses.html",
            {
                **self.tab_context(integration),
                "switches": switches,
                "tables": tables,
                "links": links,
                "link": link,
            },
        )


# ---------------------------------------------------------------------------------- contractors


class ContractorListView(_ProviderTabMixin, View):
    """Tab **Contractors**: every contractor with state, joined, credit used / available."""

    tab = "contractors"

    def get(self, request, pk: int):
        integration = self.provider(pk, include_deleted=True)
        state = request.GET.get("state", "")
        if state not in {value for value, _label in forms.CONTRACTOR_STATES}:
            state = ""
        if integration.deleted_at is not None and "state" not in request.GET:
            state = "all"  # all of a deleted integration's contractors are disconnected
        search = request.GET.get("search", "").replace("\x00", "")  # PostgreSQL text has no NUL
        queryset = selectors.contractor_list(integration=integration, search=search, state=state)
        page, ids = page_of_ids(queryset, request.GET.get("page"))
        rows = in_id_order(queryset.filter(pk__in=ids), ids)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "connect/contractor_list.html",
            {
                **self.tab_context(integration),
                "rows": rows,
                "page": page,
                "query": query.urlencode(),
                "states": forms.CONTRACTOR_STATES,
                "state": state,
                "pending": directory.pending_request_list(account=self.account, integration=integration),
            },
        )


class _ContractorPageMixin(_ProviderTabMixin):
    tab = "contractors"

    def refused(self, form, what: str, panel: str) -> str:
        """A form of the trade-credit panels was refused: say so on top of the page, naming each field
        and its error (the panel itself is further down), and which panel to open and scroll to."""
        parts = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            text = " ".join(str(e) for e in errors)
            parts.append(f"{label}: {text}" if label else text)
        messages.error(self.request, " ".join([str(what), *parts]))
        return panel

    def render_page(self, integration, link, *, focus: str = "", **bound):
        can_manage = self.can_manage and integration.deleted_at is None
        summary = selectors.credit_summary(link=link)
        sharing = getattr(integration, "sharing_settings", None)
        ledger = selectors.credit_entry_list(link=link)
        page, ids = page_of_ids(ledger, self.request.GET.get("page"))
        entries = in_id_order(ledger.filter(pk__in=ids), ids)
        context = {
            **self.tab_context(integration),
            "link": link,
            "summary": summary,
            "stock_blocked": selectors.stock_blocked(link=link, summary=summary),
            "entries": entries,
            "page": page,
            "query": "",
            "events": selectors.link_event_list(link=link, limit=20),
            "recent_forwards": selectors.contractor_recent_forwards(link=link),
            "link_form": bound.get("link_form")
            or forms.ContractorLinkForm(
                instance=link, account=self.account, inventory=sharing.inventory if sharing else None
            ),
            "credit_form": bound.get("credit_form")
            or forms.CreditSettingsForm(
                initial={
                    "credit_limit": link.credit_limit,
                    "credit_currency": link.credit_currency or self.account.default_currency,
                    "block_stock_below": link.block_stock_below,
                    "credit_notes": link.credit_notes,
                }
            ),
            "payment_form": bound.get("payment_form") or forms.PaymentForm(account=self.account),
            "adjust_form": bound.get("adjust_form") or forms.AdjustmentForm(account=self.account),
            "editable": can_manage and link.disconnected_at is None,
            # The panel whose form was refused: open, scrolled into view, its first wrong field focused.
            "focus": focus,
        }
        return render(self.request, "connect/contractor_edit.html", context)


class ContractorEditView(_ContractorPageMixin, View):
    """A contractor: its name here, range of shared products, price group; state; trade credit."""

    def get(self, request, pk: int, link_pk: int):
        integration = self.provider(pk, include_deleted=True)
        return self.render_page(integration, self.contractor(pk, link_pk, include_deleted=True))

    def post(self, request, pk: int, link_pk: int):
        integration = self.provider(pk)
        link = self.contractor(pk, link_pk)
        self.manager_required()
        sharing = getattr(integration, "sharing_settings", None)
        form = forms.ContractorLinkForm(
            request.POST,
            instance=link,
            account=self.account,
            inventory=sharing.inventory if sharing else None,
        )
        if form.is_valid():
            try:
                services.contractor_link_update(actor=self.tenant, link=link, **form.service_values())
            except ValidationError as exc:
                errors_to_forms(exc, form)
                if "range_products" in getattr(exc, "error_dict", {}):
                    form.add_error("range_products_text", exc.error_dict["range_products"])
            else:
                messages.success(request, _("Contractor saved."))
                return redirect("connect:contractor-edit", pk=pk, link_pk=link.pk)
        link = self.contractor(pk, link_pk)  # the form wrote into the instance; show the stored one
        return self.render_page(integration, link, link_form=form)


class ContractorStateView(_ContractorPageMixin, View):
    def post(self, request, pk: int, link_pk: int):
        self.provider(pk)
        link = self.contractor(pk, link_pk)
        state = request.POST.get("state", "")
        try:
            services.contractor_set_state(actor=self.tenant, link=link, state=state)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if state == ContractorLink.State.BLOCKED:
                messages.success(
                    request, _("Blocked: nothing crosses to this contractor until you activate it.")
                )
            else:
                messages.success(request, _("Activated."))
        return redirect("connect:contractor-edit", pk=pk, link_pk=link.pk)


class ContractorCreditView(_ContractorPageMixin, View):
    def post(self, request, pk: int, link_pk: int):
        integration = self.provider(pk)
        link = self.contractor(pk, link_pk)
        self.manager_required()
        form = forms.CreditSettingsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            message = data.pop("message", "")
            try:
                services.credit_settings_update(actor=self.tenant, link=link, message=message, **data)
            except ValidationError as exc:
                errors_to_forms(exc, form)
            else:
                messages.success(request, _("Trade credit saved."))
                return redirect("connect:contractor-edit", pk=pk, link_pk=link.pk)
        focus = self.refused(form, _("Trade credit not saved."), "credit")
        return self.render_page(integration, link, credit_form=form, focus=focus)


class _LedgerEntryView(_ContractorPageMixin, View):
    form_class: type = forms.PaymentForm
    form_key = "payment_form"
    panel = "payment"
    done = gettext_lazy("Saved.")
    not_done = gettext_lazy("Not saved.")

    def write(self, link, data):
        raise NotImplementedError

    def post(self, request, pk: int, link_pk: int):
        integration = self.provider(pk)
        link = self.contractor(pk, link_pk)
        self.manager_required()
        form = self.form_class(request.POST, account=self.account)
        if form.is_valid():
            try:
                self.write(link, form.cleaned_data)
            except ValidationError as exc:
                errors_to_forms(exc, form)
            else:
                messages.success(request, self.done)
                return redirect("connect:contractor-edit", pk=pk, link_pk=link.pk)
        focus = self.refused(form, self.not_done, self.panel)
        return self.render_page(integration, link, focus=focus, **{self.form_key: form})


class ContractorPaymentView(_LedgerEntryView):
    form_class = forms.PaymentForm
    form_key = "payment_form"
    panel = "payment"
    done = gettext_lazy("Payment recorded.")
    not_done = gettext_lazy("Payment not recorded.")

    def write(self, link, data):
        services.credit_payment_record(actor=self.tenant, link=link, **data)


class ContractorAdjustView(_LedgerEntryView):
    form_class = forms.AdjustmentForm
    form_key = "adjust_form"
    panel = "adjust"
    done = gettext_lazy("Adjustment recorded.")
    not_done = gettext_lazy("Adjustment not recorded.")

    def write(self, link, data):
        services.credit_adjust(actor=self.tenant, link=link, **data)


# -------------------------------------------------------------------------------- contractor side


def _join_settings_form(request, account, offer, *, joining: bool):
    """The join window's settings (the same with a code and from the directory)."""
    return forms.ContractorSettingsForm(
        request.POST if joining else None,
        initial={"display_name": offer.display_name, **services.contractor_settings_defaults(account)},
        account=account,
        tab="connection",
        orders=offer.orders,
        products=offer.products,
        joining=True,
        supplier_currency=offer.price_currency,
    )


def _joined_message(offer) -> str:
    if offer.approval_required:
        return _(
            "Request sent to %(provider)s. Nothing crosses until it accepts; you will be told by e-mail."
        ) % {"provider": offer.provider_name}
    # A name ending in a full stop ("… Sp. z o.o.") is tidied by the toasts' ``sentence`` filter.
    return _("Connected with %(provider)s.") % {"provider": offer.provider_name}


class JoinView(_ConnectMixin, View):
    """*I have a connection code*: enter it, Verify shows who and what, then the settings."""

    act = roles.Act.WRITE  # the form itself is for admins

    def get(self, request):
        self.manager_required()
        return render(request, "connect/join.html", {"code_form": forms.CodeForm(), "offer": None})

    def post(self, request):
        self.manager_required()
        code_form = forms.CodeForm(request.POST)
        if not code_form.is_valid():
            return render(request, "connect/join.html", {"code_form": code_form, "offer": None})
        code = code_form.cleaned_data["code"]
        try:
            offer = services.code_verify(actor=self.tenant, code=code, client_ip=client_ip(request))
        except ValidationError as exc:
            errors_to_forms(exc, code_form)
            return render(request, "connect/join.html", {"code_form": code_form, "offer": None})
        joining = request.POST.get("step") == "join"
        settings_form = _join_settings_form(request, self.account, offer, joining=joining)
        if joining and contractor_form_valid(
            settings_form, account=self.account, orders=offer.orders, products=offer.products
        ):
            try:
                integration = services.integration_join(
                    actor=self.tenant,
                    code=code,
                    client_ip=client_ip(request),
                    display_name=settings_form.cleaned_data["display_name"],
                    settings=settings_form.service_values(),
                )
            except ValidationError as exc:
                errors_to_forms(exc, settings_form)
            else:
                messages.success(request, _joined_message(offer))
                return redirect("connect:supplier-detail", pk=integration.pk)
        return render(
            request,
            "connect/join.html",
            {"code_form": code_form, "offer": offer, "settings_form": settings_form, "code": code},
        )


class _SupplierMixin(_ConnectMixin):
    def supplier_context(self, integration, tab: str) -> dict:
        summary = selectors.provider_summary_for_contractor(contractor_integration=integration)
        link = selectors.link_for_contractor(integration=integration)
        tabs = ["connection"] + (["products", "prices", "stock"] if summary.products else [])
        credit = selectors.credit_summary(link=link)
        if credit.limit is None and not credit.has_balance:
            credit = None  # no trade credit and nothing outstanding
        product_tab = tab in ("products", "prices", "stock")
        connection_request = directory.request_latest_for_contractor(link=link)
        resend_after = None
        if connection_request is not None and connection_request.state == connection_request.State.REJECTED:
            resend_after = directory.request_resend_after(
                account=self.account, provider_integration_id=link.provider_integration_id
            )
        return {
            "sync": sync.sync_status(integration=integration) if product_tab else None,
            "stock_zeroed": product_tab and link.is_open and sync.stock_zeroed(link=link),
            "integration": integration,
            "summary": summary,
            "link": link,
            "credit": credit,
            "price_currency": selectors.shared_price_currency(
                integration=link.provider_integration, link=link
            )
            if summary.products and summary.is_open and tab in ("connection", "products", "prices")
            else "",
            # Read-only: the provider's ledger of this link, newest first (no provider orders or people).
            "ledger": selectors.credit_entry_list(link=link)[:50] if credit and tab == "connection" else [],
            "connection_request": connection_request,
            "resend_after": resend_after,
            "tab": tab,
            "tabs": tabs,
            "show_statuses": summary.orders,
            "can_manage": self.can_manage,
        }


class SupplierTabView(_SupplierMixin, View):
    """A supplier integration's Connection / Products / Prices / Stock tab."""

    def _setup(self, pk: int, tab: str):
        integration = self.supplier(pk)
        context = self.supplier_context(integration, tab)
        if tab not in context["tabs"]:
            raise Http404
        return integration, context

    def _form(self, integration, context, data=None):
        settings = integration.contractor_settings
        initial = {"display_name": integration.display_name}
        return forms.ContractorSettingsForm(
            data,
            instance=settings,
            initial=initial,
            account=self.account,
            tab=context["tab"],
            orders=context["summary"].orders,
            products=context["summary"].products,
            supplier_currency=context["price_currency"],
        )

    def get(self, request, pk: int, tab: str = "connection"):
        integration, context = self._setup(pk, tab)
        return render(
            request, "connect/supplier_detail.html", {**context, "form": self._form(integration, context)}
        )

    def post(self, request, pk: int, tab: str = "connection"):
        integration, context = self._setup(pk, tab)
        self.manager_required()
        form = self._form(integration, context, request.POST)
        summary = context["summary"]
        if contractor_form_valid(
            form, account=self.account, orders=summary.orders, products=summary.products
        ):
            extra = (
                {"display_name": form.cleaned_data["display_name"]} if "display_name" in form.fields else {}
            )
            try:
                services.contractor_update(
                    actor=self.tenant, integration=integration, **extra, **form.service_values()
                )
            except ValidationError as exc:
                errors_to_forms(exc, form)
            else:
                messages.success(request, _("Settings saved."))
                if tab == "connection":
                    return redirect("connect:supplier-detail", pk=integration.pk)
                return redirect("connect:supplier-tab", pk=integration.pk, tab=tab)
        integration.refresh_from_db()
        return render(request, "connect/supplier_detail.html", {**context, "form": form})


class SupplierStatusesView(_SupplierMixin, _StatusesMixin, View):
    def get(self, request, pk: int):
        integration = self.supplier(pk)
        context = self.supplier_context(integration, "statuses")
        tables = _mapping_forms(request, tenant=self.tenant, link=context["link"])
        return render(
            request,
            "connect/supplier_statuses.html",
            {**context, "switches": self.switches_form(integration), "tables": tables},
        )

    def post(self, request, pk: int):
        integration = self.supplier(pk)
        context = self.supplier_context(integration, "statuses")
        result = self.statuses_post(
            request, integration, context["link"], reverse("connect:supplier-statuses", args=[integration.pk])
        )
        if not isinstance(result, tuple):
            return result
        _none, switches, tables = result
        return render(
            request, "connect/supplier_statuses.html", {**context, "switches": switches, "tables": tables}
        )


class SupplierResyncView(_SupplierMixin, View):
    """ "Synchronise now" on the Products / Prices / Stock tabs."""

    def post(self, request, pk: int):
        integration = self.supplier(pk)
        tab = request.POST.get("tab")
        try:
            services.supplier_resync(actor=self.tenant, integration=integration)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Synchronising: every linked product follows the supplier within a minute.")
            )
        if tab in ("products", "prices", "stock"):
            return redirect("connect:supplier-tab", pk=integration.pk, tab=tab)
        return redirect("connect:supplier-detail", pk=integration.pk)


class SupplierDisconnectView(_SupplierMixin, View):
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        integration = self.supplier(pk)
        services.integration_disconnect(actor=self.tenant, integration=integration)
        messages.success(request, _("Disconnected from “%(name)s”.") % {"name": integration.display_name})
        return redirect("connect:integration-list")


class SupplierRequestView(_SupplierMixin, View):
    """Send a rejected connection request again (after the cool-down)."""

    def post(self, request, pk: int):
        integration = self.supplier(pk)
        try:
            directory.request_resend(actor=self.tenant, integration=integration)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Request sent again."))
        return redirect("connect:supplier-detail", pk=integration.pk)


# ------------------------------------------------------------------------------- the directory


class _DirectoryMixin(_ConnectMixin):
    def entry(self, pk: int):
        """A listed entry; 404 for every other id (unverified, rejected, private, never used)."""
        return directory.directory_get(pk=pk)

    def detail_context(self, publication, **extra) -> dict:
        relation = directory.directory_relation(account=self.account, publication=publication)
        return {
            "p": publication,
            "relation": relation,
            "can_manage": self.can_manage,
            "country_names": directory.country_names(publication.countries),
            "message_form": extra.pop("message_form", None)
            or forms.DirectoryMessageForm(initial={"reply_to": getattr(self.request.user, "email", "")}),
            **extra,
        }


class DirectoryListView(_DirectoryMixin, View):
    """Integrations → Publications: verified partners, filtered by name, countries, industries and
    services, paginated."""

    def get(self, request):
        form = forms.DirectoryFilterForm(request.GET)
        filters = form.filters()
        queryset = directory.directory_list(**filters)
        page, ids = page_of_ids(queryset, request.GET.get("page"), per_page=20)
        rows = in_id_order(queryset.filter(pk__in=ids), ids)
        connected = directory.directory_connected_ids(account=self.account, publications=rows)
        for row in rows:
            row.country_names = directory.country_names(row.countries)
            row.my_integration_id = connected.get(row.pk)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "connect/directory_list.html",
            {
                "rows": rows,
                "page": page,
                "query": query.urlencode(),
                "form": form,
                "chosen_countries": [
                    name
                    for code, name in form.fields["countries"].choices
                    if code in filters.get("countries", ())
                ],
                "filtered": any(filters.values()),
                "can_manage": self.can_manage,
            },
        )


class DirectoryDetailView(_DirectoryMixin, View):
    """One partner: description, countries, industries, services; Get in touch, See products,
    Connect or Send connection request."""

    def get(self, request, pk: int):
        publication = self.entry(pk)
        return render(request, "connect/directory_detail.html", self.detail_context(publication))


class DirectoryLogoView(_DirectoryMixin, View):
    """A listed entry's logo (the verified one)."""

    def get(self, request, pk: int):
        data, content_type = directory.directory_logo(pk=pk)
        response = HttpResponse(data, content_type=content_type)
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response


class DirectoryMessageView(_DirectoryMixin, View):
    """*Get in touch*: the message form e-mails the partner's contact address."""

    def post(self, request, pk: int):
        self.manager_required()
        publication = self.entry(pk)
        form = forms.DirectoryMessageForm(request.POST)
        if form.is_valid():
            try:
                directory.directory_message_send(
                    actor=self.tenant, publication=publication, **form.cleaned_data
                )
            except ValidationError as exc:
                errors_to_forms(exc, form)
            else:
                messages.success(
                    request,
                    _("Message sent to %(name)s. Answers come to %(email)s.")
                    % {"name": publication.listed_name, "email": form.cleaned_data["reply_to"]},
                )
                return redirect("connect:directory-detail", pk=publication.pk)
        context = self.detail_context(publication, message_form=form, message_open=True)
        # The form again with its errors, answered 200 like every form of these pages (a 4xx would be
        # logged by the browser as a failed request).
        return render(request, "connect/directory_detail.html", context)


class DirectoryConnectView(_DirectoryMixin, View):
    """*Connect* / *Send connection request*: the join window of a code, without the code."""

    act = roles.Act.WRITE  # the form itself is for admins

    def _offer(self, publication):
        try:
            return directory.publication_offer(actor=self.tenant, publication=publication), None
        except ValidationError as exc:
            return None, " ".join(exc.messages)

    def get(self, request, pk: int):
        self.manager_required()
        publication = self.entry(pk)
        offer, refusal = self._offer(publication)
        settings_form = _join_settings_form(request, self.account, offer, joining=False) if offer else None
        return self._render(publication, offer, refusal, settings_form)

    def post(self, request, pk: int):
        self.manager_required()
        publication = self.entry(pk)
        offer, refusal = self._offer(publication)
        if offer is None:
            return self._render(publication, None, refusal, None)
        settings_form = _join_settings_form(request, self.account, offer, joining=True)
        if contractor_form_valid(
            settings_form, account=self.account, orders=offer.orders, products=offer.products
        ):
            try:
                integration = services.integration_join(
                    actor=self.tenant,
                    publication=publication,
                    client_ip=client_ip(request),
                    display_name=settings_form.cleaned_data["display_name"],
                    settings=settings_form.service_values(),
                )
            except ValidationError as exc:
                errors_to_forms(exc, settings_form)
            else:
                messages.success(request, _joined_message(offer))
                return redirect("connect:supplier-detail", pk=integration.pk)
        return self._render(publication, offer, refusal, settings_form)

    def _render(self, publication, offer, refusal, settings_form):
        return render(
            self.request,
            "connect/join.html",
            {
                "publication": publication,
                "offer": offer,
                "refusal": refusal,
                "settings_form": settings_form,
                "code_form": None,
            },
        )


class DirectoryProductsView(_DirectoryMixin, View):
    """*See products*: what a listed entry's integration shares, read-only, for any account (only when
    the provider shows products; prices only when it shows them publicly). Read through the shared
    catalog's selectors, like a contractor's own browse."""

    def get(self, request, pk: int):
        publication = self.entry(pk)
        catalog = shared_catalog.shared_catalog_for_directory(publication=publication)
        if catalog is None:
            raise Http404
        search = (request.GET.get("search") or "").replace("\x00", "")[:200]
        queryset = shared_catalog.shared_product_list(catalog, search=search)
        page, ids = page_of_ids(queryset.order_by("pk"), request.GET.get("page"))
        products = in_id_order(
            shared_catalog.shared_product_list(catalog, variants=True).filter(pk__in=ids), ids
        )
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "connect/directory_products.html",
            {
                "p": publication,
                "catalog": catalog,
                "products": products,
                "page": page,
                "search": search,
                "query": query.urlencode(),
            },
        )


class DirectoryProductView(_DirectoryMixin, View):
    """One product of *See products*, read-only: what the sharing settings let through (name, images,
    description and parameters when shared, SKU, EAN, stock, variants, bundle components) and its price
    only when the provider shows prices publicly. 404 for a product the entry does not share, and for
    every product of an entry that is not listed or does not show products."""

    def get(self, request, pk: int, product_pk: int):
        publication = self.entry(pk)
        catalog = shared_catalog.shared_catalog_for_directory(publication=publication)
        if catalog is None:
            raise Http404
        item = shared_catalog.shared_product_get(catalog, pk=product_pk)
        return render(
            request,
            "connect/directory_product.html",
            {
                "p": publication,
                "catalog": catalog,
                "item": item,
                "relation": directory.directory_relation(account=self.account, publication=publication),
                "can_manage": self.can_manage,
            },
        )


class OrderForwardStateView(AccountViewMixin, View):
    """The Connect part of an order's card (HTMX: polled while a forwarding button's action runs)."""

    area = roles.ORDERS

    def get(self, request, pk: int):
        order = get_object_or_404(Order, account=self.account, pk=pk)
        # Once the forward is done, the card's buttons come along (out of band): its forwarding button
        # then reads "Forwarded to …" without a reload.
        buttons = CustomButton.objects.filter(account=self.account)
        return render(
            request, "connect/_order_card_forward.html", {"order": order, "polled": True, "buttons": buttons}
        )
