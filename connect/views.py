"""Web pages of Connect (Integrations → Connect).

Provider side: generate a connection code; the integration's tabs Connection (code, settings),
Statuses, Contractors (list; edit with range, state, trade credit and ledger) and Publish. Contractor
side: I have a connection code (verify, then settings); the tabs Connection, Products, Prices, Stock and
Statuses as the provider offers them. Thin: forms parse, services decide (roles included), selectors
read; another account's integration or contractor is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import roles
from accounts.tenancy import AccountViewMixin
from config.paging import in_id_order, page_of_ids
from connect import forms, selectors, services
from connect.codes import code_display
from connect.models import ConnectIntegration, ContractorLink, StatusMapping
from orders.models import Order, OrderStatus

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

    def provider(self, pk: int) -> ConnectIntegration:
        return selectors.integration_get(account=self.account, pk=pk, role=PROVIDER)

    def supplier(self, pk: int) -> ConnectIntegration:
        return selectors.integration_get(account=self.account, pk=pk, role=CONTRACTOR)

    def contractor(self, integration_pk: int, pk: int) -> ContractorLink:
        return selectors.contractor_get(account=self.account, integration_pk=integration_pk, pk=pk)


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
            .order_by("contractor_integration__display_name", "id")
        )
        return render(
            request,
            "connect/integration_list.html",
            {"providers": providers, "supplier_links": supplier_links, "can_manage": self.can_manage},
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
        return {"integration": integration, "tab": self.tab, "can_manage": self.can_manage}


class ProviderDetailView(_ProviderTabMixin, View):
    """Tab **Connection**: the code (copy, regenerate) and every setting, editable but the switches."""

    tab = "connection"

    def get(self, request, pk: int):
        integration = self.provider(pk)
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
        code = selectors.provider_code(integration=integration) if self.can_manage else None
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
    """Tab **Publish**: the public partner directory comes in a later version."""

    tab = "publish"

    def get(self, request, pk: int):
        integration = self.provider(pk)
        return render(request, "connect/provider_publish.html", self.tab_context(integration))


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
        integration = self.provider(pk)
        state = request.GET.get("state", "")
        if state not in {value for value, _label in forms.CONTRACTOR_STATES}:
            state = ""
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
            },
        )


class _ContractorPageMixin(_ProviderTabMixin):
    tab = "contractors"

    def render_page(self, integration, link, **bound):
        can_manage = self.can_manage
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
        }
        return render(self.request, "connect/contractor_edit.html", context)


class ContractorEditView(_ContractorPageMixin, View):
    """A contractor: its name here, range of shared products, price group; state; trade credit."""

    def get(self, request, pk: int, link_pk: int):
        integration = self.provider(pk)
        return self.render_page(integration, self.contractor(pk, link_pk))

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
        return self.render_page(integration, link, credit_form=form)


class _LedgerEntryView(_ContractorPageMixin, View):
    form_class: type = forms.PaymentForm
    form_key = "payment_form"
    done = gettext_lazy("Saved.")

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
        return self.render_page(integration, link, **{self.form_key: form})


class ContractorPaymentView(_LedgerEntryView):
    form_class = forms.PaymentForm
    form_key = "payment_form"
    done = gettext_lazy("Payment recorded.")

    def write(self, link, data):
        services.credit_payment_record(actor=self.tenant, link=link, **data)


class ContractorAdjustView(_LedgerEntryView):
    form_class = forms.AdjustmentForm
    form_key = "adjust_form"
    done = gettext_lazy("Adjustment recorded.")

    def write(self, link, data):
        services.credit_adjust(actor=self.tenant, link=link, **data)


# -------------------------------------------------------------------------------- contractor side


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
        settings_form = forms.ContractorSettingsForm(
            request.POST if joining else None,
            initial={
                "display_name": offer.display_name,
                **services.contractor_settings_defaults(self.account),
            },
            account=self.account,
            tab="connection",
            orders=offer.orders,
            products=offer.products,
            joining=True,
        )
        if joining and settings_form.is_valid():
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
                messages.success(
                    request,
                    _("Connected with %(provider)s.") % {"provider": offer.provider_name},
                )
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
        credit = selectors.credit_summary(link=link) if link.credit_limit is not None else None
        return {
            "integration": integration,
            "summary": summary,
            "link": link,
            "credit": credit,
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
        if form.is_valid():
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


class SupplierDisconnectView(_SupplierMixin, View):
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        integration = self.supplier(pk)
        services.integration_disconnect(actor=self.tenant, integration=integration)
        messages.success(request, _("Disconnected from “%(name)s”.") % {"name": integration.display_name})
        return redirect("connect:integration-list")


class OrderForwardStateView(AccountViewMixin, View):
    """The Connect part of an order's card (HTMX: polled while a forwarding button's action runs)."""

    area = roles.ORDERS

    def get(self, request, pk: int):
        order = get_object_or_404(Order, account=self.account, pk=pk)
        return render(request, "connect/_order_card_forward.html", {"order": order})
