"""Web pages of the orders app: list with filters and bulk actions, the order card, forms, and the
order settings (statuses, sources, extra fields, custom buttons, automatic actions)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts import roles
from accounts.models import Role
from accounts.tenancy import AccountViewMixin
from catalog.services import StockShortfall
from changes.origin import Origin, origin_label_text
from config import formats
from config.fields import id_number
from config.paging import PAGE_SIZES, in_id_order, page_of_ids, page_size_from
from config.stored_messages import message_text
from config.web import form_errors_from, safe_next
from orders import field_labels, forms, selectors, services
from orders.filters import OrderFilter
from orders.models import (
    AutomationRule,
    AutomationRun,
    CustomButton,
    JournalEntry,
    Order,
    OrderExtraField,
    OrderSource,
    OrderStatus,
)
from orders.product_choices import product_choices


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _order_or_404(account, pk) -> Order:
    return get_object_or_404(Order.objects.select_related("status", "source"), account=account, pk=pk)


# Columns the order list sorts by (``?sort=date_add`` ascending, ``?sort=-date_add`` descending).
ORDER_SORTS = {"id", "date_add", "total", "delivery_fullname", "status__position"}


class OrderListView(AccountViewMixin, View):
    area = roles.ORDERS

    def get(self, request):
        params = request.GET
        # The API's filters: the same parameters, choices and messages on the page as in /api/v1/orders/.
        order_filter = OrderFilter(
            params, queryset=Order.objects.filter(account=self.account), request=request
        )
        queryset = order_filter.qs
        choices = order_filter.form.fields
        statuses = list(choices["status"].queryset)
        sort = params.get("sort") or "-id"
        sort = sort if sort.lstrip("-") in ORDER_SORTS else "-id"
        if sort.lstrip("-") == "total":
            queryset = selectors.orders_with_total(queryset)
        per_page = page_size_from(params)
        page, ids = page_of_ids(queryset.order_by(sort, "-id"), params.get("page"), per_page=per_page)
        orders = in_id_order(selectors.orders_for_list(account=self.account, ids=ids), ids)
        query = params.copy()
        query.pop("page", None)
        # The tabs count what the other filters leave, so a tab's number is the list it opens.
        without_status = params.copy()
        without_status.pop("status", None)
        without_status.pop("page", None)
        counted = OrderFilter(
            without_status, queryset=Order.objects.filter(account=self.account), request=request
        )
        counts = selectors.order_counts_by_status(
            account=self.account, queryset=counted.qs if counted.is_valid() else None
        )
        for status in statuses:
            status.order_count = counts.get(status.pk, 0)
        return render(
            request,
            "orders/order_list.html",
            {
                "page": page,
                "orders": orders,
                "statuses": statuses,
                "sources": choices["source"].queryset,
                "buttons": CustomButton.objects.filter(account=self.account),
                "filter": order_filter,
                "query": query.urlencode(),
                "total_count": sum(counts.values()),
                "per_page": per_page,
                "page_sizes": PAGE_SIZES,
            },
        )


def _selected_ids(request) -> list[int]:
    """The ticked orders' ids in the order they were ticked on the page; anything but ids is a 404, like
    an order that is not the account's."""
    ids = []
    for value in request.POST.getlist("orders"):
        try:
            ids.append(id_number(value))
        except ValidationError:
            raise Http404("No such orders.") from None
    return list(dict.fromkeys(ids))


class OrderBulkView(AccountViewMixin, View):
    """Bulk actions of the list: change status, press a custom button, merge into a technical order.

    Merging asks first which selected order is the main one (its buyer, delivery and invoice data go to
    the technical order), offering the first selected; the merge runs when that choice is posted."""

    area = roles.ORDERS

    def post(self, request):
        ids = _selected_ids(request)
        by_id = {o.pk: o for o in Order.objects.filter(account=self.account, pk__in=ids)}
        if len(by_id) != len(ids):
            raise Http404("No such orders.")
        orders = [by_id[pk] for pk in ids]  # as selected: the first selected comes first
        action = request.POST.get("action", "")
        back = safe_next(request) or "orders:order-list"
        if not orders:
            messages.error(request, _("Select orders first."))
            return redirect(back)
        origin = Origin.of_tenant(self.tenant)
        if action.startswith("status:"):
            status = _own_or_404(OrderStatus, self.account, action[7:])
            moved, failed = 0, []
            for order in sorted(orders, key=lambda o: o.pk):
                try:
                    services.order_set_status(order=order, status=status, origin=origin)
                    moved += 1
                except (StockShortfall, ValidationError) as exc:
                    failed.append(f"#{order.pk}: {_error_text(exc)}")
            messages.success(
                request,
                ngettext("%(n)s order moved to “%(status)s”.", "%(n)s orders moved to “%(status)s”.", moved)
                % {"n": moved, "status": status},
            )
            for line in failed:
                messages.error(request, line)
        elif action.startswith("button:"):
            button = _own_or_404(CustomButton, self.account, action[7:])
            services.button_press(account=self.account, button=button, orders=orders, origin=origin)
            messages.success(
                request,
                ngettext(
                    "“%(name)s” pressed for %(n)s order.", "“%(name)s” pressed for %(n)s orders.", len(orders)
                )
                % {"name": button.name, "n": len(orders)},
            )
        elif action == "merge":
            return self._merge(request, orders, back)
        else:
            messages.error(request, _("Choose an action."))
        return redirect(back)

    def _merge(self, request, orders: list[Order], back):
        try:
            services.orders_merge_check(orders=orders)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(back)
        form = forms.MergeForm(request.POST if "main" in request.POST else None, orders=orders)
        if not form.is_valid():
            return render(
                request,
                "orders/merge_confirm.html",
                {
                    "form": form,
                    "orders": orders,
                    "main_value": str(form["main"].value() or ""),
                    "next": safe_next(request) or "",
                },
                status=400 if form.is_bound else 200,
            )
        try:
            technical = services.orders_merge(
                account=self.account,
                orders=orders,
                main=form.main_order(),
                origin=Origin.of_tenant(self.tenant),
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(back)
        messages.success(request, _("Technical order #%(id)s created.") % {"id": technical.pk})
        return redirect("orders:order-detail", pk=technical.pk)


def _own_or_404(model, account, value):
    """The account's row of ``model`` with the id ``value`` (text from a form); 404 for anything else."""
    try:
        pk = id_number(value)
    except ValidationError:
        raise Http404 from None
    return get_object_or_404(model, account=account, pk=pk)


LINE_KEY = re.compile(r"line-([0-9]{1,3})-")
MAX_FORM_LINES = 100


def _line_forms(account, data=None, *, add_line: bool = False) -> list[forms.LineForm]:
    """The new-order form's lines: ``line-<n>-…`` fields, as many as were posted (one to start with)."""
    if data is None:
        return [forms.LineForm(account=account, prefix="line-0")]
    currency = str(data.get("currency") or "")  # the order's, which catalog prices must be in
    numbers = sorted({int(match.group(1)) for key in data if (match := LINE_KEY.match(key))})
    if not numbers and not add_line and any(key.startswith("line-") for key in data):
        # One line posted as ``line-product``, ``line-quantity``… (the card's "Add a line" names).
        return [forms.LineForm(data, account=account, currency=currency, prefix="line")]
    numbers = numbers[:MAX_FORM_LINES] or [0]
    if add_line and len(numbers) < MAX_FORM_LINES:
        numbers.append(numbers[-1] + 1)
    return [forms.LineForm(data, account=account, currency=currency, prefix=f"line-{n}") for n in numbers]


def _line_is_blank(form: forms.LineForm) -> bool:
    data = form.data
    return not any(
        (data.get(form.add_prefix(name)) or "").strip() for name in ("product", "name", "price_brutto")
    )


class OrderCreateView(AccountViewMixin, View):
    """A new order: buyer, delivery, invoice and payment in sections, and any number of lines (a line
    added by the page's script, or without scripts by "Add a line", which shows the form again)."""

    area = roles.ORDERS

    def get(self, request):
        return self._render(
            forms.OrderForm(account=self.account, initial={"currency": self.account.default_currency}),
            _line_forms(self.account),
        )

    def post(self, request):
        form = forms.OrderForm(request.POST, account=self.account)
        add_line = "add_line" in request.POST
        line_forms = _line_forms(self.account, request.POST, add_line=add_line)
        if add_line:
            return self._render(form, line_forms, bound=False)
        # Blank rows the user added and left are ignored, unless every row is blank.
        used = [line for line in line_forms if not _line_is_blank(line)] or line_forms[:1]
        # Every line is checked (not only up to the first bad one), so each shows its own message.
        lines_valid = [line.is_valid() for line in used]
        valid = form.is_valid() and all(lines_valid)
        if valid:
            try:
                order = services.order_create(
                    account=self.account,
                    lines=[line.line_data() for line in used],
                    origin=Origin.of_tenant(self.tenant),
                    **form.changes(),
                )
            except (StockShortfall, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("Order #%(id)s created.") % {"id": order.pk})
                return redirect("orders:order-detail", pk=order.pk)
        return self._render(form, used if not valid else line_forms)

    def _render(self, form, line_forms, *, bound: bool = True, status: int = 200):
        return render(
            self.request,
            "orders/order_form.html",
            {
                "form": form,
                "line_forms": line_forms,
                "next_line": max(
                    (int(f.prefix.split("-")[1]) for f in line_forms if f.prefix.count("-")), default=-1
                )
                + 1,
                "order": None,
                "show_errors": bound,
            },
            status=status,
        )


class OrderEditView(AccountViewMixin, View):
    area = roles.ORDERS

    def get(self, request, pk: int):
        order = _order_or_404(self.account, pk)
        return self._render(forms.OrderForm(instance=order, account=self.account), order)

    def post(self, request, pk: int):
        order = _order_or_404(self.account, pk)
        form = forms.OrderForm(request.POST, instance=Order.objects.get(pk=order.pk), account=self.account)
        if form.is_valid():
            changes = form.changes()
            if form.fields["currency"].disabled:
                changes.pop("currency")
            try:
                services.order_update(order=order, origin=Origin.of_tenant(self.tenant), **changes)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Order saved."))
                return redirect("orders:order-detail", pk=order.pk)
        return self._render(form, order)

    def _render(self, form, order):
        return render(self.request, "orders/order_form.html", {"form": form, "order": order})


# Names of icons of the page's SVG set (templates/partials/icons.html).
JOURNAL_ICONS = {
    JournalEntry.Type.ORDER_CREATED: "plus",
    JournalEntry.Type.STATUS_CHANGED: "arrow-right",
    JournalEntry.Type.ORDER_PAID: "coins",
    JournalEntry.Type.PACKAGE_CREATED: "package",
    JournalEntry.Type.ORDERS_MERGED: "merge",
    JournalEntry.Type.TRACKING_UPDATED: "truck",
}


def timeline(order: Order) -> list[dict]:
    """The order's journal and automatic-action runs, oldest first, in words."""
    statuses = dict(OrderStatus.objects.filter(account_id=order.account_id).values_list("pk", "name"))
    extra_names = {
        str(pk): name
        for pk, name in OrderExtraField.objects.filter(account_id=order.account_id).values_list("pk", "name")
    }
    items = []
    for entry in order.journal.all():
        detail = ""
        if entry.type == JournalEntry.Type.STATUS_CHANGED:
            detail = statuses.get(entry.object_id, f"#{entry.object_id}")
        elif entry.type == JournalEntry.Type.ORDERS_MERGED:
            detail = _("into technical order #%(id)s") % {"id": entry.object_id}
        elif entry.type == JournalEntry.Type.TRACKING_UPDATED:
            detail = _tracking_detail(entry.data)
        elif entry.type == JournalEntry.Type.ORDER_FORWARDED:
            detail = _("to %(supplier)s as their order #%(id)s") % {
                "supplier": entry.data.get("supplier", ""),
                "id": entry.object_id,
            }
            if entry.data.get("charged"):
                detail += " · " + _("%(amount)s paid with trade credit") % {
                    "amount": formats.format_money(entry.data["charged"], entry.data.get("currency") or None)
                }
        elif entry.type == JournalEntry.Type.FORWARD_REFUSED:
            detail = message_text(entry.data.get("reason", ""))
        elif entry.data.get("connect", {}).get("contractor_order_id"):
            detail = _("forwarded by %(name)s, their order #%(id)s") % {
                "name": entry.data["connect"].get("contractor", ""),
                "id": entry.data["connect"]["contractor_order_id"],
            }
        elif "fields" in entry.data:
            line = entry.type == JournalEntry.Type.PRODUCT_EDITED
            detail = "; ".join(
                _field_change(name, old, new, line=line, currency=order.currency, extra_names=extra_names)
                for name, (old, new) in entry.data["fields"].items()
            )
        elif entry.data.get("name"):
            detail = f"{formats.format_number(entry.data.get('quantity', ''))} × {entry.data['name']}"
        actor = origin_label_text(entry.origin_kind, entry.origin_label)
        if entry.data.get("by") and entry.type in (
            JournalEntry.Type.ORDER_FORWARDED,
            JournalEntry.Type.FORWARD_REFUSED,
        ):
            actor = f"{message_text(entry.data['by'])} · {actor}"
        items.append(
            {
                "at": entry.created_at,
                "icon": JOURNAL_ICONS.get(entry.type, "pencil"),
                "title": entry.get_type_display(),
                "detail": detail,
                "actor": actor,
                "log_id": entry.pk,
                "failed": entry.type == JournalEntry.Type.FORWARD_REFUSED,
            }
        )
    for run in order.automation_runs.all():
        items.append(
            {
                "at": run.created_at,
                "icon": "gear",
                "title": _("Automatic action “%(name)s”: %(outcome)s")
                % {"name": run.rule_name, "outcome": run.get_outcome_display()},
                "detail": run.message,
                "actor": "",
                "log_id": None,
                "failed": run.outcome in (AutomationRun.Outcome.FAILED, AutomationRun.Outcome.LOOP),
            }
        )
    return sorted(items, key=lambda item: item["at"])


def _field_change(name, old, new, *, line: bool, currency: str, extra_names: dict[str, str]) -> str:
    """ "Delivery: city: Kraków → Gdańsk", "Paid: 0,00 zł → 1 075,97 zł" — never a raw field name."""
    label = field_labels.field_label(name, line=line)
    before = field_labels.field_value(name, old, currency=currency, extra_field_names=extra_names)
    after = field_labels.field_value(name, new, currency=currency, extra_field_names=extra_names)
    return f"{label}: {before} → {after}"


def _tracking_detail(data: dict) -> str:
    from shipments.models import TrackingStatus

    try:
        status = TrackingStatus(data.get("tracking_status")).label
    except ValueError:
        status = str(data.get("tracking_status", ""))
    # The status in words only: a courier's own status code ("label_created", "DOR") means nothing to
    # a reader; the package page lists it with each event.
    number = data.get("package_number") or ""
    if number:
        return _("Package %(number)s: %(status)s") % {"number": number, "status": status}
    return str(status)


class OrderDetailView(AccountViewMixin, View):
    area = roles.ORDERS

    def get(self, request, pk: int):
        order = _order_or_404(self.account, pk)
        return render(request, "orders/order_detail.html", self.context(order))

    def context(self, order: Order, **extra) -> dict:
        lines = list(order.lines.select_related("product", "warehouse"))
        for line in lines:
            line.value = line.price_brutto * line.quantity
        total = services.order_total(order)
        fields = {str(f.pk): f.name for f in OrderExtraField.objects.filter(account=self.account)}
        context = {
            "order": order,
            "lines": lines,
            "total": total,
            "paid": order.payment_done >= total > 0,
            "statuses": OrderStatus.objects.filter(account=self.account),
            "buttons": CustomButton.objects.filter(account=self.account),
            "extra_values": [
                (fields.get(k, k), v)
                for k, v in (
                    order.custom_extra_fields.items() if isinstance(order.custom_extra_fields, dict) else []
                )
            ],
            "timeline": timeline(order),
            "line_form": forms.LineForm(account=self.account, currency=order.currency, prefix="line"),
            "payment_form": forms.PaymentForm(initial={"payment_done": order.payment_done}),
            "merged_from": order.merged_from.all(),
            "merged_into": order.merged_into.all(),
            "packages": order.packages.all() if hasattr(order, "packages") else [],
            **extra,
        }
        return context


class OrderActionView(AccountViewMixin, View):
    """POSTs from the order card: status, payment, custom button, lines."""

    area = roles.ORDERS

    def post(self, request, pk: int, action: str):
        order = _order_or_404(self.account, pk)
        origin = Origin.of_tenant(self.tenant)
        handler = getattr(self, f"do_{action.replace('-', '_')}", None)
        if handler is None:
            raise Http404
        try:
            result = handler(request, order, origin)
        except (StockShortfall, ValidationError) as exc:
            messages.error(request, _error_text(exc))
            return redirect("orders:order-detail", pk=order.pk)
        if result is not None:
            return result
        return redirect("orders:order-detail", pk=order.pk)

    @staticmethod
    def _valid(form):
        """The form's cleaned data; its errors, as one message, when the post is not valid."""
        if not form.is_valid():
            raise ValidationError(
                [f"{form.fields[k].label or k}: {' '.join(v)}" for k, v in form.errors.items()]
            )
        return form.cleaned_data

    def do_status(self, request, order, origin):
        status = self._valid(forms.StatusChangeForm(request.POST, account=self.account))["status"]
        services.order_set_status(order=order, status=status, origin=origin)
        messages.success(request, _("Status changed to “%(name)s”.") % {"name": status.name})

    def do_payment(self, request, order, origin):
        form = forms.PaymentForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["payment_done"])
        paid = form.cleaned_data["payment_done"]
        services.order_payment_set(order=order, payment_done=paid, origin=origin)
        messages.success(request, _("Payment saved."))
        over = paid - services.order_total(order)
        if over > 0:
            # Saved as typed (a buyer may pay more), but a slip of the keyboard should not pass unseen.
            messages.warning(
                request,
                _("That is %(over)s more than the order's total.")
                % {"over": formats.format_money(over, order.currency)},
            )

    def do_button(self, request, order, origin):
        button = self._valid(forms.ButtonPressForm(request.POST, account=self.account))["button"]
        services.button_press(account=self.account, button=button, orders=[order], origin=origin)
        messages.success(
            request, _("“%(name)s” pressed; its actions run in a moment.") % {"name": button.name}
        )

    def do_line_add(self, request, order, origin):
        form = forms.LineForm(request.POST, account=self.account, currency=order.currency, prefix="line")
        if not form.is_valid():
            view = OrderDetailView()
            view.account, view.tenant, view.request = self.account, self.tenant, request
            return render(
                request, "orders/order_detail.html", view.context(order, line_form=form, show_line_form=True)
            )
        services.line_add(order=order, origin=origin, **form.line_data())
        messages.success(request, _("Line added."))

    def do_line_change(self, request, order, origin):
        data = dict(self._valid(forms.LineChangeForm(request.POST, order=order)))
        services.line_update(line=data.pop("line"), origin=origin, **data)
        messages.success(request, _("Line changed."))

    def do_line_remove(self, request, order, origin):
        line = self._valid(forms.LineRemoveForm(request.POST, order=order))["line"]
        services.line_remove(line=line, origin=origin)
        messages.success(request, _("Line removed; its stock is back."))


class ProductSuggestView(AccountViewMixin, View):
    """The product picker's suggestions for what the user typed (HTMX): own products and suppliers'
    shared ones, each with its price and stock."""

    area = roles.ORDERS

    def get(self, request):
        # ``line-product`` (the card's line form) or ``line-<n>-product`` (a line of the new-order form).
        typed = next(
            (
                request.GET[key]
                for key in request.GET
                if key == "line-product" or (LINE_KEY.match(key) and key.endswith("-product"))
            ),
            "",
        )
        query = forms.ProductSuggestForm({"line-product": typed})
        # Text that cannot be searched (a NUL character, too long) simply suggests nothing.
        text = query.cleaned_data["product"].strip() if query.is_valid() else ""
        choices = product_choices(account=self.account, text=text)
        return render(request, "orders/_product_options.html", {"choices": choices})


# -- settings --------------------------------------------------------------------------------------

SETTINGS = {
    "statuses": (OrderStatus, forms.StatusForm, gettext_lazy("Order statuses")),
    "sources": (OrderSource, forms.SourceForm, gettext_lazy("Order sources")),
    "extra-fields": (OrderExtraField, forms.ExtraFieldForm, gettext_lazy("Order extra fields")),
    "buttons": (CustomButton, forms.ButtonForm, gettext_lazy("Custom buttons")),
}


class OrderSettingsView(AccountViewMixin, View):
    """Order statuses, sources, extra fields and buttons: list, add, edit (``pk``); the reservation
    switch sits on the statuses tab."""

    area = roles.ORDER_SETTINGS

    def dispatch(self, request, *args, kind: str, **kwargs):
        if kind not in SETTINGS:
            raise Http404
        self.kind = kind
        self.model, self.form_class, self.title = SETTINGS[kind]
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk: int | None = None):
        instance = get_object_or_404(self.model, account=self.account, pk=pk) if pk else None
        return self._render(self.form_class(instance=instance), instance)

    def post(self, request, pk: int | None = None):
        if "stock_reservation" in request.POST:
            services.stock_reservation_set(
                actor=self.tenant, enabled=request.POST["stock_reservation"] == "on"
            )
            messages.success(request, _("Saved."))
            return redirect("orders:settings", kind=self.kind)
        instance = get_object_or_404(self.model, account=self.account, pk=pk) if pk else None
        # A new row knows its account before validation, so a name already used is a form error.
        form = self.form_class(request.POST, instance=instance or self.model(account=self.account))
        if form.is_valid():
            try:
                services.order_setting_save(actor=self.tenant, row=form.save(commit=False))
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("orders:settings", kind=self.kind)
        return self._render(form, instance)

    def _render(self, form, instance):
        return render(
            self.request,
            "orders/settings.html",
            {
                "rows": (
                    self.model.objects.filter(account=self.account).annotate(order_count=Count("orders"))
                    if self.model is OrderStatus
                    else self.model.objects.filter(account=self.account)
                ),
                "form": form,
                "instance": instance,
                "kind": self.kind,
                "title": self.title,
                "tabs": [(k, v[2]) for k, v in SETTINGS.items()],
                "can_manage": self.tenant.has_role(Role.ADMIN),
                "account": self.account,
            },
        )


class OrderSettingsDeleteView(AccountViewMixin, View):
    area = roles.ORDER_SETTINGS
    act = roles.Act.DELETE

    def post(self, request, kind: str, pk: int):
        if kind not in SETTINGS:
            raise Http404
        row = get_object_or_404(SETTINGS[kind][0], account=self.account, pk=pk)
        try:
            services.order_setting_delete(actor=self.tenant, row=row)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Deleted."))
        return redirect("orders:settings", kind=kind)


class RuleListView(AccountViewMixin, View):
    area = roles.ORDER_SETTINGS

    def get(self, request, pk: int | None = None):
        instance = get_object_or_404(AutomationRule, account=self.account, pk=pk) if pk else None
        return self._render(forms.RuleForm(instance=instance, account=self.account), instance)

    def post(self, request, pk: int | None = None):
        instance = get_object_or_404(AutomationRule, account=self.account, pk=pk) if pk else None
        form = forms.RuleForm(request.POST, instance=instance, account=self.account)
        if form.is_valid():
            services.rule_save(actor=self.tenant, rule=form.save(commit=False))
            messages.success(request, _("Rule saved."))
            return redirect("orders:rule-list")
        return self._render(form, instance)

    def _render(self, form, instance):
        rules = AutomationRule.objects.filter(account=self.account).select_related(
            "event_status", "event_button"
        )
        return render(
            self.request,
            "orders/rules.html",
            {
                "rules": rules,
                "form": form,
                "instance": instance,
                "tabs": [(k, v[2]) for k, v in SETTINGS.items()],
                "can_manage": self.tenant.has_role(Role.ADMIN),
            },
        )


class RuleDeleteView(AccountViewMixin, View):
    area = roles.ORDER_SETTINGS
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        rule = get_object_or_404(AutomationRule, account=self.account, pk=pk)
        services.rule_delete(actor=self.tenant, rule=rule)
        messages.success(request, _("Rule deleted."))
        return redirect("orders:rule-list")
