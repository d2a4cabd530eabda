"""Forms of the order pages; related-row choices are limited to the active account."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from catalog.models import Inventory, Product, Warehouse
from config import fields
from config.formats import format_money
from orders import actions
from orders.line_sources import ExternalLine, external_find
from orders.models import (
    STAR_MAX,
    AutomationRule,
    CustomButton,
    Order,
    OrderExtraField,
    OrderLine,
    OrderSource,
    OrderStatus,
)
from orders.product_choices import OWN_KEY_PREFIX, ProductChoice, external_choice, own_choices
from orders.services import EDITABLE_FIELDS

ORDER_FORM_FIELDS = [
    "source",
    "external_order_id",
    "shop_order_id",
    "confirmed",
    "user_login",
    "email",
    "phone",
    "user_comments",
    "admin_comments",
    "currency",
    "payment_method",
    "payment_method_cod",
    "delivery_method",
    "delivery_price",
    "delivery_fullname",
    "delivery_company",
    "delivery_address",
    "delivery_postcode",
    "delivery_city",
    "delivery_state",
    "delivery_country_code",
    "delivery_point_id",
    "delivery_point_name",
    "delivery_point_address",
    "delivery_point_postcode",
    "delivery_point_city",
    "want_invoice",
    "invoice_fullname",
    "invoice_company",
    "invoice_nip",
    "invoice_address",
    "invoice_postcode",
    "invoice_city",
    "invoice_state",
    "invoice_country_code",
    "extra_field_1",
    "extra_field_2",
    "star",
]
assert set(ORDER_FORM_FIELDS) <= EDITABLE_FIELDS


def extra_field_form_field(field: OrderExtraField, initial=None) -> forms.Field:
    kind = OrderExtraField.Kind
    common = {"label": field.name, "required": False, "initial": initial}
    if field.kind == kind.NUMBER:
        return fields.FormDecimalField(max_digits=30, **common)
    if field.kind == kind.CHECKBOX:
        return forms.BooleanField(**common)
    if field.kind == kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if field.kind == kind.SELECT:
        return forms.ChoiceField(choices=[("", "—"), *[(o, o) for o in field.options]], **common)
    return forms.CharField(max_length=1000, **common)


DELIVERY_ADDRESS = ["fullname", "company", "address", "postcode", "city", "state", "country_code"]

# The order form's sections: (key, title, the usual fields, the rest — behind "more").
ORDER_SECTIONS = [
    ("customer", _("Customer"), ["email", "phone"], ["user_login"]),
    (
        "delivery",
        _("Delivery"),
        [
            "delivery_fullname",
            "delivery_company",
            "delivery_address",
            "delivery_postcode",
            "delivery_city",
            "delivery_country_code",
            "delivery_method",
            "delivery_price",
        ],
        ["delivery_state"],
    ),
    (
        "pickup",
        _("Pickup point"),
        [
            "delivery_point_id",
            "delivery_point_name",
            "delivery_point_address",
            "delivery_point_postcode",
            "delivery_point_city",
        ],
        [],
    ),
    (
        "invoice",
        _("Invoice"),
        [
            "want_invoice",
            "same_as_delivery",
            "invoice_nip",
            "invoice_fullname",
            "invoice_company",
            "invoice_address",
            "invoice_postcode",
            "invoice_city",
            "invoice_country_code",
        ],
        ["invoice_state"],
    ),
    ("payment", _("Payment"), ["payment_method", "payment_method_cod", "currency"], []),
    ("notes", _("Comments"), ["user_comments", "admin_comments"], []),
    (
        "more",
        _("More order data"),
        [],
        [
            "source",
            "external_order_id",
            "shop_order_id",
            "confirmed",
            "extra_field_1",
            "extra_field_2",
            "star",
        ],
    ),
]

ORDER_LABELS = {
    "source": _("Order source"),
    "external_order_id": _("External order number"),
    "shop_order_id": _("Order number in the shop"),
    "confirmed": _("Confirmed order"),
    "user_login": _("Buyer's login"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "user_comments": _("Buyer's comments"),
    "admin_comments": _("Seller's note"),
    "currency": _("Currency"),
    "payment_method": _("Payment method"),
    "payment_method_cod": _("Cash on delivery"),
    "delivery_method": _("Delivery method"),
    "delivery_price": _("Delivery price (gross)"),
    "delivery_fullname": _("Full name"),
    "delivery_company": _("Company"),
    "delivery_address": _("Street and number"),
    "delivery_postcode": _("Postcode"),
    "delivery_city": _("City"),
    "delivery_state": _("State or region"),
    "delivery_country_code": _("Country"),
    "delivery_point_id": _("Pickup point code"),
    "delivery_point_name": _("Pickup point name"),
    "delivery_point_address": _("Pickup point address"),
    "delivery_point_postcode": _("Pickup point postcode"),
    "delivery_point_city": _("Pickup point city"),
    "want_invoice": _("The buyer wants an invoice"),
    "invoice_fullname": _("Full name"),
    "invoice_company": _("Company"),
    "invoice_nip": _("VAT number"),
    "invoice_address": _("Street and number"),
    "invoice_postcode": _("Postcode"),
    "invoice_city": _("City"),
    "invoice_state": _("State or region"),
    "invoice_country_code": _("Country"),
    "extra_field_1": _("Extra field 1"),
    "extra_field_2": _("Extra field 2"),
    "star": _("Marker"),
}

ORDER_HELP = {
    "confirmed": _(
        "Confirmed orders are the ones integrations and API clients fetch. Untick for an order the buyer "
        "has not confirmed yet."
    ),
    "delivery_point_id": _("For a parcel locker or pickup point: the carrier's code of the point."),
    "admin_comments": _("Seen only by your team."),
    "star": _("A colour marker from 0 (none) to 5, as in BaseLinker."),
    "shop_order_id": _("0 when the order did not come from a shop."),
    "payment_method_cod": _("The buyer pays the courier on delivery."),
}


class OrderForm(fields.ModelForm):
    """Every field of an order a user may change by hand, plus the account's custom extra fields, in the
    sections of the page (``sections()``); "same as delivery" copies the delivery address to the invoice."""

    email = fields.FormEmailField(label=ORDER_LABELS["email"], required=False)
    delivery_country_code = fields.FormCountryField(label=ORDER_LABELS["delivery_country_code"])
    invoice_country_code = fields.FormCountryField(label=ORDER_LABELS["invoice_country_code"])
    star = forms.IntegerField(
        label=ORDER_LABELS["star"], min_value=0, max_value=STAR_MAX, initial=0, help_text=ORDER_HELP["star"]
    )
    same_as_delivery = forms.BooleanField(
        label=_("Invoice address same as delivery"),
        required=False,
        help_text=_("The invoice takes the name, company and address of the delivery."),
    )

    class Meta(fields.ModelForm.Meta):
        model = Order
        fields = ORDER_FORM_FIELDS
        labels = ORDER_LABELS
        help_texts = ORDER_HELP
        widgets = {
            "user_comments": forms.Textarea(attrs={"rows": 2}),
            "admin_comments": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "delivery_fullname": forms.TextInput(attrs={"autocomplete": "shipping name"}),
            "delivery_address": forms.TextInput(attrs={"autocomplete": "shipping street-address"}),
            "delivery_postcode": forms.TextInput(attrs={"autocomplete": "shipping postal-code"}),
            "delivery_city": forms.TextInput(attrs={"autocomplete": "shipping address-level2"}),
        }

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["source"].queryset = OrderSource.objects.filter(account=account)
        self.fields["source"].empty_label = None
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        home = str(account.country or "")
        for name in ("delivery_country_code", "invoice_country_code"):
            self.fields[name].set_first(home)
        if not self.instance.pk:
            # An order typed in by hand is a confirmed one (BaseLinker's too): API clients that fetch
            # confirmed orders only see it. Unticking keeps it a draft.
            self.initial.setdefault("confirmed", True)
            self.initial.setdefault("delivery_country_code", home)
            self.initial.setdefault("invoice_country_code", home)
            self.initial.setdefault("same_as_delivery", True)
        else:
            self.initial.setdefault("same_as_delivery", self._invoice_is_delivery())
        values = self.instance.custom_extra_fields if self.instance.pk else {}
        if not isinstance(values, dict):
            values = {}
        self.extra_fields = list(OrderExtraField.objects.filter(account=account))
        for field in self.extra_fields:
            self.fields[f"x_{field.pk}"] = extra_field_form_field(field, values.get(str(field.pk)))
        if self.instance.pk and self.instance.lines.exists():
            self.fields["currency"].disabled = True
            self.fields["currency"].help_text = _("Fixed once the order has lines.")

    def _invoice_is_delivery(self) -> bool:
        order = self.instance
        if not order.delivery_address:
            return False
        return all(
            getattr(order, f"invoice_{part}") == getattr(order, f"delivery_{part}")
            for part in DELIVERY_ADDRESS
        )

    def sections(self) -> list[dict]:
        """The page's sections, each with its usual fields and the rest (shown behind "more")."""
        result = []
        for key, title, usual, rare in ORDER_SECTIONS:
            more = [self[name] for name in rare if name in self.fields]
            if key == "more":
                more += [self[f"x_{field.pk}"] for field in self.extra_fields]
            result.append(
                {
                    "key": key,
                    "title": title,
                    "fields": [self[name] for name in usual if name in self.fields],
                    "more": more,
                    # A section whose hidden fields hold a value or an error opens by itself.
                    "open": any(bound.errors or not self._is_default(bound) for bound in more),
                }
            )
        return result

    @staticmethod
    def _is_default(bound) -> bool:
        """Whether a field holds what a new order starts with (nothing to look at)."""
        if bound.name == "confirmed":
            return bool(bound.value())
        return bound.value() in (None, "", False, 0, "0")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("same_as_delivery"):
            for part in DELIVERY_ADDRESS:
                value = cleaned.get(f"delivery_{part}", "")
                # The invoice's fields are hidden then: a value too long for one is said at the delivery's.
                longest = Order._meta.get_field(f"invoice_{part}").max_length
                if longest and len(value or "") > longest:
                    self.add_error(
                        f"delivery_{part}",
                        _("At most %(n)s characters: the invoice address takes it too.") % {"n": longest},
                    )
                    continue
                cleaned[f"invoice_{part}"] = value
                setattr(self.instance, f"invoice_{part}", value)
        return cleaned

    def custom_extra_fields(self) -> dict:
        result = {}
        for field in self.extra_fields:
            value = self.cleaned_data.get(f"x_{field.pk}")
            if value in (None, ""):
                continue
            result[str(field.pk)] = value.isoformat() if hasattr(value, "isoformat") else value
        return result

    def changes(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ORDER_FORM_FIELDS if name in self.cleaned_data}
        data["custom_extra_fields"] = self.custom_extra_fields()
        return data


def product_find(account, text: str) -> tuple[Product | None, list[Product]]:
    """The product a user means by ``text``: exact SKU or EAN first, else a unique name match."""
    text = text.strip()
    if not text:
        return None, []
    exact = list(Product.objects.filter(account=account).filter(Q(sku=text) | Q(ean=text))[:5])
    if len(exact) == 1:
        return exact[0], exact
    if exact:
        return None, exact
    by_name = list(
        Product.objects.filter(account=account, texts__name__icontains=text).distinct().order_by("id")[:6]
    )
    return (by_name[0] if len(by_name) == 1 else None), by_name


class LineForm(forms.Form):
    """A catalog line (product by SKU, EAN or name) or, with no product, a free line.

    The page's product picker fills ``product`` with the picked product's name and SKU and
    ``product_key`` with its key; without scripts ``product`` is what the user typed (a SKU, EAN, name
    or a shared product's key) and ``product_key`` stays empty."""

    product = forms.CharField(
        label=_("Product"),
        required=False,
        help_text=_("Type a SKU, EAN or name and pick a suggestion."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    product_key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Or a line without a product"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, e.g. a service")}),
    )
    quantity = fields.FormIntegerField(label=_("Quantity"), min_value=1, initial=1)
    price_brutto = fields.FormDecimalField(
        label=_("Gross price"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the catalog price."),
    )
    warehouse = fields.FormModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False
    )

    def __init__(self, *args, account, currency: str = "", price_group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.currency = currency  # the order's: a catalog price in another one is not taken
        self.price_group = price_group
        self.fields["warehouse"].queryset = Warehouse.objects.filter(account=account)
        # The product picker fills the catalog price in here.
        self.fields["price_brutto"].widget.attrs["data-line-price"] = ""

    def _picked_by_key(self, key: str) -> tuple[Product | None, ExternalLine | None]:
        """The product a picked suggestion's key names (own or a supplier's), or (None, None)."""
        if key.startswith(OWN_KEY_PREFIX):
            pk = key.removeprefix(OWN_KEY_PREFIX)
            product = (
                Product.objects.filter(account=self.account, pk=int(pk)).first()
                if pk.isdigit() and len(pk) <= 18
                else None
            )
            return product, None
        found = external_find(account=self.account, text=key) if ":" in key else []
        if len(found) == 1:
            return found[0].product, found[0]
        return None, None

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("product") or ""
        key = (cleaned.get("product_key") or "").strip()
        external = None
        if key:
            product, external = self._picked_by_key(key)
            if product is None and external is None:
                self.add_error(
                    "product", _("This product is no longer available. Pick it again from the suggestions.")
                )
        else:
            product, candidates = product_find(self.account, text)
            if text.strip() and product is None and not candidates:
                # Not in the account's catalogs: a supplier's shared catalog may have it (key, SKU, EAN).
                found = external_find(account=self.account, text=text.strip())
                if len(found) == 1:
                    external = found[0]
                    product = external.product
                elif found:
                    self.add_error(
                        "product",
                        _("Several suppliers' products match: %(list)s. Choose one from the suggestions.")
                        % {"list": ", ".join(line.label for line in found[:5])},
                    )
            if text and product is None and external is None and not self.has_error("product"):
                if candidates:
                    names = ", ".join(p.sku or f"#{p.pk}" for p in candidates)
                    self.add_error(
                        "product", _("Several products match: %(list)s. Give the SKU.") % {"list": names}
                    )
                else:
                    self.add_error("product", _("No product with this SKU, EAN or name."))
        cleaned["external"] = external
        if product is None and external is None and not text and not cleaned.get("name"):
            self.add_error("product", _("Choose a product or enter a name."))
            return cleaned
        if cleaned.get("price_brutto") is None and "product" not in self.errors:
            price, price_currency = None, ""
            if external is not None and product is None:
                price, price_currency = external.price, external.currency
            elif product is not None:
                group = self.price_group or product.inventory.default_price_group
                price = product.prices.filter(price_group=group).values_list("amount", flat=True).first()
                price_currency = group.currency if group is not None else ""
            if price is not None and self.currency and price_currency and price_currency != self.currency:
                # Amounts are never converted: a PLN price is not taken as euros.
                self.add_error(
                    "price_brutto",
                    _("Give the price in %(currency)s: the catalog price is %(price)s.")
                    % {"currency": self.currency, "price": format_money(price, price_currency)},
                )
                price = None
            elif price is None:
                self.add_error(
                    "price_brutto",
                    _("Give the price: the product has none in this price group.")
                    if product is not None
                    else _("Give the price of this free line."),
                )
            cleaned["price_brutto"] = price
        cleaned["product_obj"] = product
        return cleaned

    @cached_property
    def picked(self) -> ProductChoice | None:
        """The product this bound line names (to show its name, price and stock again when the form
        comes back), or None."""
        if not self.is_bound or self.has_error("product"):
            return None
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("external") is not None and data.get("product_obj") is None:
            return external_choice(data["external"])
        if data.get("product_obj") is not None:
            choices = own_choices(account=self.account, ids=[data["product_obj"].pk])
            return choices[0] if choices else None
        return None

    @property
    def picked_price(self):
        """The picked product's catalog price when it is in the order's currency, else None."""
        picked = self.picked
        if picked is None or picked.price is None:
            return None
        if self.currency and picked.currency and picked.currency != self.currency:
            return None
        return picked.price

    def line_data(self) -> dict:
        data = {
            "quantity": self.cleaned_data["quantity"],
            "price_brutto": self.cleaned_data["price_brutto"],
        }
        if self.cleaned_data.get("external") is not None:
            data["external"] = self.cleaned_data["external"]
        if self.cleaned_data["product_obj"] is not None:
            data["product"] = self.cleaned_data["product_obj"]
            if self.cleaned_data.get("warehouse"):
                data["warehouse"] = self.cleaned_data["warehouse"]
        if self.cleaned_data.get("name"):
            data["name"] = self.cleaned_data["name"]
        return data


class LineChangeForm(forms.Form):
    """Change a line of ``order`` (``line``: its id) — quantity and gross price."""

    line = fields.FormModelChoiceField(label=_("Line"), queryset=OrderLine.objects.none())
    quantity = fields.FormIntegerField(label=_("Quantity"), min_value=1)
    price_brutto = fields.FormDecimalField(
        label=_("Gross price"), min_value=0, max_digits=14, decimal_places=2
    )

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = OrderLine.objects.filter(order=order)


class LineRemoveForm(LineChangeForm):
    """Remove a line of ``order``."""

    quantity = None
    price_brutto = None


class PaymentForm(forms.Form):
    payment_done = fields.FormDecimalField(
        label=_("Paid so far"), min_value=0, max_digits=14, decimal_places=2
    )


class StatusChangeForm(forms.Form):
    """The status box of the order card: one of the account's statuses."""

    status = fields.FormModelChoiceField(label=_("Status"), queryset=OrderStatus.objects.none())

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = OrderStatus.objects.filter(account=account)


class ButtonPressForm(forms.Form):
    """A custom button of the account, pressed on the order card."""

    button = fields.FormModelChoiceField(label=_("Button"), queryset=CustomButton.objects.none())

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["button"].queryset = CustomButton.objects.filter(account=account)


class ProductSuggestForm(forms.Form):
    """What the user typed in the line form's product field (the ``line-product`` parameter)."""

    prefix = "line"
    product = forms.CharField(max_length=200, required=False)


class MergeForm(forms.Form):
    """The merge of the order list: the selected ``orders`` and the ``main`` one among them, whose buyer,
    delivery and invoice data the technical order takes (offered: the first selected)."""

    main = forms.TypedChoiceField(label=_("Main order"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, orders: list[Order], **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = orders
        self.fields["main"].choices = [(order.pk, f"#{order.pk}") for order in orders]
        if orders:
            self.fields["main"].initial = orders[0].pk

    def main_order(self) -> Order:
        return next(order for order in self.orders if order.pk == self.cleaned_data["main"])


class StatusForm(fields.ModelForm):
    class Meta(fields.ModelForm.Meta):
        model = OrderStatus
        fields = ["name", "name_for_customer", "color", "position", "kind"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}


class SourceForm(fields.ModelForm):
    class Meta(fields.ModelForm.Meta):
        model = OrderSource
        fields = ["name", "kind"]


class ExtraFieldForm(fields.ModelForm):
    options = forms.CharField(
        label=_("Options"), required=False, help_text=_("For a choice list: one option per line.")
    )

    class Meta(fields.ModelForm.Meta):
        model = OrderExtraField
        fields = ["name", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["options"].widget = forms.Textarea(attrs={"rows": 3})
        if self.instance.pk:
            self.initial["options"] = "\n".join(self.instance.options)

    def clean(self):
        cleaned = super().clean()
        options = [o.strip() for o in (cleaned.get("options") or "").splitlines() if o.strip()]
        if cleaned.get("kind") == OrderExtraField.Kind.SELECT and not options:
            self.add_error("options", _("A choice list needs at least one option."))
        self.instance.options = options
        return cleaned


class ButtonForm(fields.ModelForm):
    class Meta(fields.ModelForm.Meta):
        model = CustomButton
        fields = ["name", "color"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}


class RuleForm(fields.ModelForm):
    """A rule with its conditions and up to three actions. Each action slot has its type and, for every
    registered action type (``orders.actions``), that type's own fields, named ``a<slot>_<type>_<field>``;
    the page shows only the fields of the chosen type."""

    PAID = [("", _("Paid or not")), ("paid", _("Paid in full")), ("unpaid", _("Not paid in full"))]

    c_statuses = fields.FormModelMultipleChoiceField(
        label=_("Only in these statuses"), queryset=OrderStatus.objects.none(), required=False
    )
    c_sources = fields.FormModelMultipleChoiceField(
        label=_("Only from these sources"), queryset=OrderSource.objects.none(), required=False
    )
    c_inventories = fields.FormModelMultipleChoiceField(
        label=_("Only with lines from these catalogs"), queryset=Inventory.objects.none(), required=False
    )
    c_paid = forms.ChoiceField(label=_("Payment"), choices=PAID, required=False)
    c_total_min = fields.FormDecimalField(
        label=_("Total at least"), required=False, max_digits=14, decimal_places=2
    )
    c_total_max = fields.FormDecimalField(
        label=_("Total at most"), required=False, max_digits=14, decimal_places=2
    )

    class Meta(fields.ModelForm.Meta):
        model = AutomationRule
        fields = ["name", "enabled", "event", "event_status", "event_button", "position"]
        labels = {"position": _("Position")}

    ACTIONS = 3

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        statuses = OrderStatus.objects.filter(account=account)
        self.fields["event_status"].queryset = statuses
        self.fields["event_button"].queryset = CustomButton.objects.filter(account=account)
        self.fields["event_button"].label = _("Button")
        self.fields["c_statuses"].queryset = statuses
        self.fields["c_sources"].queryset = OrderSource.objects.filter(account=account)
        self.fields["c_inventories"].queryset = Inventory.objects.filter(account=account)
        # Rows stored before their shape was checked may hold anything: read them defensively.
        conditions = self.instance.conditions if isinstance(self.instance.conditions, dict) else {}
        self.initial.update(
            c_statuses=conditions.get("statuses", []),
            c_sources=conditions.get("sources", []),
            c_inventories=conditions.get("inventories", []),
            c_paid=conditions.get("paid", ""),
            c_total_min=conditions.get("total_min"),
            c_total_max=conditions.get("total_max"),
        )
        registered = actions.actions_all()
        types = [("", "—"), *((action.key, action.label) for action in registered)]
        saved = self.instance.actions if self.instance.pk and isinstance(self.instance.actions, list) else []
        # slot → action type → [(the action's data key, the form field's name)]
        self.action_fields: list[dict[str, list[tuple[str, str]]]] = []
        for i in range(self.ACTIONS):
            data = saved[i] if i < len(saved) and isinstance(saved[i], dict) else {}
            self.fields[f"a{i}_type"] = forms.ChoiceField(
                label=_("Action %(n)s") % {"n": i + 1},
                choices=types,
                required=False,
                initial=data.get("type"),
                widget=forms.Select(attrs={"data-action-type": ""}),
            )
            slot: dict[str, list[tuple[str, str]]] = {}
            for action in registered:
                slot[action.key] = []
                for name, field in action.fields(account).items():
                    field_name = f"a{i}_{action.key}_{name}"
                    if data.get("type") == action.key:
                        field.initial = data.get(name)
                    field.required = False  # the action's clean() says what is missing, for its type only
                    self.fields[field_name] = field
                    slot[action.key].append((name, field_name))
            self.action_fields.append(slot)

    def event_fields(self) -> dict[str, list[str]]:
        """Form field → the events it is shown for, for the fields that do not apply to every event (the
        page hides the others as the event changes)."""
        every = [str(event) for event in AutomationRule.Event.values]
        shown = {name: [str(e) for e in events] for name, events in AutomationRule.EVENT_FIELDS.items()}
        for key, events in AutomationRule.CONDITIONS_NOT_FOR.items():
            shown[f"c_{key}"] = [event for event in every if event not in events]
        return shown

    def main_fields(self) -> list:
        """The rule's own fields and conditions (the page shows the action slots on their own)."""
        action_names = {
            name for slot in self.action_fields for fields in slot.values() for _k, name in fields
        }
        action_names |= {f"a{i}_type" for i in range(self.ACTIONS)}
        return [self[name] for name in self.fields if name not in action_names]

    def action_slots(self) -> list[dict]:
        """Each slot's type field and, per action type, its fields (for the page)."""
        return [
            {
                "type": self[f"a{i}_type"],
                "groups": [(key, [self[name] for _k, name in fields]) for key, fields in slot.items()],
            }
            for i, slot in enumerate(self.action_fields)
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        from orders.automation import actions_clean, conditions_clean

        cleaned = super().clean()
        event = cleaned.get("event")
        for name, events in self.event_fields().items():
            if event not in events and name in cleaned:
                # Hidden for this event: whatever it holds is not the rule's (the model forgets it too).
                cleaned[name] = None if name.startswith("event_") else ""
        conditions = {
            "statuses": [s.pk for s in cleaned.get("c_statuses") or []],
            "sources": [s.pk for s in cleaned.get("c_sources") or []],
            "inventories": [i.pk for i in cleaned.get("c_inventories") or []],
            "paid": cleaned.get("c_paid") or "",
            "total_min": str(cleaned["c_total_min"]) if cleaned.get("c_total_min") is not None else "",
            "total_max": str(cleaned["c_total_max"]) if cleaned.get("c_total_max") is not None else "",
        }
        chosen = []
        for i, slot in enumerate(self.action_fields):
            kind = cleaned.get(f"a{i}_type")
            if not kind:
                continue
            data = {"type": kind}
            for name, field_name in slot.get(kind, []):
                value = cleaned.get(field_name)
                if value not in (None, ""):
                    data[name] = value
            chosen.append(data)
        try:
            self.instance.conditions = conditions_clean(account=self.account, conditions=conditions)
        except ValidationError as exc:
            for error in exc.error_dict["conditions"]:
                field = f"c_{error.code}" if error.code else None
                self.add_error(field if field in self.fields else None, error)
        try:
            self.instance.actions = actions_clean(account=self.account, actions=chosen)
        except ValidationError as exc:
            self.add_error(None, exc.message_dict["actions"])
        if event == AutomationRule.Event.BUTTON and not cleaned.get("event_button"):
            self.add_error("event_button", _("Choose the button that fires this rule."))
        return cleaned
