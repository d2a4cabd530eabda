"""Forms of the Connect pages. They parse and offer the account's own rows as choices (another
account's id is then "not one of the available choices", exactly like a missing id); the services
decide and validate the rest."""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from django import forms
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import CURRENCY_CHOICES
from catalog.models import Category, ExtraField, Inventory, PriceGroup, Product, Tag, Warehouse
from config import fields
from connect import services
from connect.models import (
    AdditionalInfo,
    ContractorLink,
    ContractorSettings,
    Industry,
    ProviderOrderSettings,
    ProviderSharingSettings,
    ServiceType,
)
from orders.models import Order, OrderStatus

ADDITIONAL_INFO_WIDGET = forms.CheckboxSelectMultiple


def _additional_info_field(label) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=AdditionalInfo.choices, required=False, widget=ADDITIONAL_INFO_WIDGET
    )


class ProviderBasicsForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=100)
    code_name = forms.CharField(
        label=_("Connection code name"),
        max_length=100,
        required=False,
        help_text=_("For you: e.g. who the code is for."),
    )
    orders_enabled = forms.BooleanField(
        label=_("Downloading orders"),
        required=False,
        help_text=_("Receive orders from the accounts you give the code to. Fixed once the code exists."),
    )
    products_enabled = forms.BooleanField(
        label=_("Sharing products"),
        required=False,
        help_text=_("Let those accounts see and import products of one catalog. Fixed once the code exists."),
    )

    def __init__(self, *args, fixed: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if fixed:
            for name in ("orders_enabled", "products_enabled"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Fixed when the code was created. To change it, create a new integration."
                )


class ProviderOrderSettingsForm(fields.ModelForm):
    additional_info = _additional_info_field(_("Additional information to receive"))

    class Meta(fields.ModelForm.Meta):
        model = ProviderOrderSettings
        fields = list(services.ORDER_SETTINGS_FIELDS)

    def __init__(self, *args, account, **kwargs) -> None:
        kwargs.setdefault("prefix", "orders")
        super().__init__(*args, **kwargs)
        self.fields["target_status"].queryset = OrderStatus.objects.filter(account=account)
        self.fields["match_inventory"].queryset = Inventory.objects.filter(account=account)
        self.fields["match_inventory"].empty_label = _("No matching")
        self.fields["source_warehouse"].queryset = Warehouse.objects.filter(account=account)
        self.fields["price_group"].queryset = PriceGroup.objects.filter(account=account)
        for name in ("source_warehouse", "price_group"):
            self.fields[name].empty_label = _("The matching catalog's default")
        if not self.instance.pk:
            self.fields["target_status"].initial = (
                OrderStatus.objects.filter(account=account)
                .order_by("position", "id")
                .values_list("pk", flat=True)
                .first()
            )

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


def language_name(code: str) -> str:
    """A language's name in the page's language ("Polish", "polski"), the code if it has none."""
    try:
        shown = Locale.parse((translation.get_language() or "en").replace("-", "_"))
        name = Locale.parse(code.replace("-", "_")).get_display_name(shown)
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return f"{name[:1].upper()}{name[1:]}" if name else code


class ProviderSharingSettingsForm(fields.ModelForm):
    language = forms.ChoiceField(label=_("Language"))

    class Meta(fields.ModelForm.Meta):
        model = ProviderSharingSettings
        fields = list(services.SHARING_SETTINGS_FIELDS)
        widgets = {
            "categories": forms.CheckboxSelectMultiple,
            "tags": forms.CheckboxSelectMultiple,
            "extra_fields": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, account, **kwargs) -> None:
        kwargs.setdefault("prefix", "sharing")
        super().__init__(*args, **kwargs)
        inventories = Inventory.objects.filter(account=account)
        self.fields["inventory"].queryset = inventories
        self.fields["categories"].queryset = Category.objects.filter(account=account).select_related(
            "inventory"
        )
        self.fields["tags"].queryset = Tag.objects.filter(account=account)
        self.fields["extra_fields"].queryset = ExtraField.objects.filter(account=account)
        self.fields["source_warehouse"].queryset = Warehouse.objects.filter(account=account)
        self.fields["price_group"].queryset = PriceGroup.objects.filter(account=account)
        self.fields["price_group"].empty_label = _("No prices")
        languages = sorted({code for inv in inventories for code in [*inv.languages, inv.default_language]})
        self.fields["language"].choices = [(code, language_name(code)) for code in languages]
        self.fields["categories"].help_text = _("Used with “only the chosen” and “all except the chosen”.")
        if not self.instance.pk:
            default = next((inv for inv in inventories if inv.is_default), None) or inventories.first()
            if default is not None:
                self.fields["inventory"].initial = default.pk
                self.fields["language"].initial = default.default_language
                self.fields["source_warehouse"].initial = default.default_warehouse_id
                self.fields["price_group"].initial = default.default_price_group_id

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("categories", "tags", "extra_fields"):
            data[name] = list(data.get(name) or [])
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Connection code"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "XXXX-XXXX-…"}
        ),
        help_text=_("As your supplier gave it to you; dashes and spaces do not matter."),
    )


ORDER_FIELDS = [
    "hide_prices",
    "overwrite_invoice",
    "invoice_company",
    "invoice_fullname",
    "invoice_nip",
    "invoice_address",
    "invoice_postcode",
    "invoice_city",
    "invoice_country_code",
    "forwarding",
    "additional_info",
]
TAB_FIELDS = {
    "connection": ORDER_FIELDS,
    "products": ["price_multiplier", "quantity_subtract", "quantity_keep_percent"],
    "prices": ["price_sync", "price_group"],
    "stock": ["stock_sync", "warehouse"],
}


class ContractorSettingsForm(fields.ModelForm):
    """A contractor's settings, one tab at a time (``tab``); the Connection tab (and joining) also
    edits the display name, and its order fields appear only when the provider downloads orders."""

    display_name = forms.CharField(label=_("Display name"), max_length=100)
    additional_info = _additional_info_field(_("Additional information to send"))
    # A choice of countries (stored as the ISO code), as the company's country is: free text let
    # "Germany" pass as "Ge". Named in the page's language: the list is made when the form is shown.
    invoice_country_code = forms.ChoiceField(
        label=_("Invoice: country"), choices=lambda: [("", "---------"), *countries], required=False
    )

    class Meta(fields.ModelForm.Meta):
        model = ContractorSettings
        fields = sorted({f for fields in TAB_FIELDS.values() for f in fields})
        widgets = {"forwarding": forms.RadioSelect}

    def __init__(
        self,
        *args,
        account,
        tab: str,
        orders: bool,
        products: bool,
        joining: bool = False,
        supplier_currency: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.currency_warning = ""
        wanted: list[str] = []
        if tab == "connection":
            wanted = ["display_name"] + (ORDER_FIELDS if orders else [])  # the form's field order
            if joining and products:
                wanted += TAB_FIELDS["products"] + TAB_FIELDS["prices"] + TAB_FIELDS["stock"]
        else:
            wanted = TAB_FIELDS[tab]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if "price_group" in self.fields:
            self.fields["price_group"].queryset = PriceGroup.objects.filter(account=account)
        if "warehouse" in self.fields:
            self.fields["warehouse"].queryset = Warehouse.objects.filter(account=account)
        if products and supplier_currency:
            self._name_currencies(account, supplier_currency)
        if "overwrite_invoice" in self.fields:
            for name in ORDER_FIELDS:
                if name.startswith("invoice_"):
                    self.fields[name].widget.attrs["data-invoice"] = "1"
        self.order_fields(wanted)

    def _name_currencies(self, account, supplier_currency: str) -> None:
        """Say which currency the supplier's prices are in, and when the target price group's differs,
        that the multiplier has to convert: prices are never converted silently."""
        if "price_group" in self.fields:
            self.fields["price_group"].label_from_instance = lambda group: f"{group.name} ({group.currency})"
        chosen = self.instance.price_group if self.instance.pk else None
        if self.is_bound and "price_group" in self.fields:
            number = self.data.get(self.add_prefix("price_group"))
            chosen = None
            if number and str(number).isascii() and str(number).isdigit():
                chosen = PriceGroup.objects.filter(account=account, pk=int(number)).first()
        if chosen is not None and chosen.currency != supplier_currency:
            self.currency_warning = _(
                "Supplier prices are in %(supplier)s; your price group “%(group)s” is in %(currency)s — "
                "set the multiplier to convert."
            ) % {"supplier": supplier_currency, "group": chosen.name, "currency": chosen.currency}
        else:
            self.currency_warning = _("Supplier prices are in %(supplier)s.") % {
                "supplier": supplier_currency
            }
        for name in ("price_multiplier", "price_group"):
            if name in self.fields:
                help_text = self.fields[name].help_text
                self.fields[name].help_text = f"{help_text} {self.currency_warning}".strip()

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("display_name", None)
        if "additional_info" in data:
            data["additional_info"] = list(data["additional_info"] or [])
        return data


class StatusSwitchesForm(forms.Form):
    send_statuses = forms.BooleanField(
        label=_("Send statuses"),
        required=False,
        help_text=_("Your order's status changes go to the partner's order."),
    )
    receive_statuses = forms.BooleanField(
        label=_("Receive statuses"),
        required=False,
        help_text=_("The partner's status changes come to your order."),
    )


class StatusMappingForm(forms.Form):
    """One mapping table. ``send``: a row per own status choosing the partner's status; ``receive``: a
    row per partner status choosing one's own. Empty: not carried."""

    def __init__(
        self, *args, direction: str, own: list[OrderStatus], partner: list[OrderStatus], current, **kwargs
    ):
        kwargs.setdefault("prefix", direction)
        super().__init__(*args, **kwargs)
        self.direction = direction
        rows, targets = (own, partner) if direction == "send" else (partner, own)
        self.rows = rows
        choices = [("", _("— not carried"))] + [(str(s.pk), s.name) for s in targets]
        self._targets = {s.pk: s for s in targets}
        self._rows = {s.pk: s for s in rows}
        for status in rows:
            self.fields[f"s{status.pk}"] = forms.ChoiceField(
                label=status.name, choices=choices, required=False
            )
            chosen = current.get(status.pk)
            if chosen is not None:
                self.fields[f"s{status.pk}"].initial = str(chosen)

    def pairs(self) -> list[tuple[OrderStatus, OrderStatus]]:
        """(local, remote) pairs of the chosen rows."""
        result = []
        for status in self.rows:
            value = self.cleaned_data.get(f"s{status.pk}")
            if not value:
                continue
            target = self._targets[int(value)]
            result.append((status, target) if self.direction == "send" else (target, status))
        return result


class ContractorLinkForm(fields.ModelForm):
    range_products_text = forms.CharField(
        label=_("Chosen products"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("SKUs (or product ids) of the shared catalog, separated by commas, spaces or new lines."),
    )

    class Meta(fields.ModelForm.Meta):
        model = ContractorLink
        fields = ["name", "range_mode", "range_categories", "range_tags", "price_group"]
        widgets = {
            "range_mode": forms.RadioSelect,
            "range_categories": forms.CheckboxSelectMultiple,
            "range_tags": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, account, inventory: Inventory | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.inventory = inventory
        categories = Category.objects.filter(account=account)
        if inventory is not None:
            categories = categories.filter(Q(inventory=inventory) | Q(inventory__isnull=True))
        self.fields["range_categories"].queryset = categories
        self.fields["range_tags"].queryset = Tag.objects.filter(account=account)
        self.fields["price_group"].queryset = PriceGroup.objects.filter(account=account)
        self.fields["price_group"].empty_label = _("The integration's price group")
        if not categories.exists():
            self.fields["range_categories"].help_text = _("The shared catalog has no categories yet.")
        if not self.fields["range_tags"].queryset.exists():
            self.fields["range_tags"].help_text = _("No tags yet (Products → Tags).")
        self.order_fields(["name", "range_mode", "range_categories", "range_tags", "range_products_text"])
        if self.instance.pk:
            self.fields["range_products_text"].initial = ", ".join(
                p.sku or str(p.pk) for p in self.instance.range_products.all()
            )

    def clean_range_products_text(self) -> list[Product]:
        tokens = [t for t in re.split(r"[\s,;]+", self.cleaned_data.get("range_products_text") or "") if t]
        if not tokens:
            return []
        products = Product.objects.filter(account=self.account)
        if self.inventory is not None:
            products = products.filter(inventory=self.inventory)
        ids = [number for number in map(_id_or_none, tokens) if number is not None]
        found = list(products.filter(Q(sku__in=tokens) | Q(pk__in=ids)))
        known = {p.sku for p in found} | {str(p.pk) for p in found}
        missing = [t for t in tokens if t not in known]
        if missing:
            raise forms.ValidationError(
                _("These products do not exist in the shared catalog: %(items)s")
                % {"items": ", ".join(missing[:20])}
            )
        return found

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["range_products"] = data.pop("range_products_text")
        data["range_categories"] = list(data.get("range_categories") or [])
        data["range_tags"] = list(data.get("range_tags") or [])
        return data


def _id_or_none(token: str) -> int | None:
    try:
        return fields.id_number(token)
    except forms.ValidationError:
        return None


class CreditSettingsForm(forms.Form):
    credit_limit = fields.FormDecimalField(
        label=_("Credit limit"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Empty: no trade credit."),
    )
    credit_currency = forms.ChoiceField(
        label=_("Settlement currency"), choices=[("", "—")] + CURRENCY_CHOICES, required=False
    )
    block_stock_below = fields.FormDecimalField(
        label=_("Block stock below"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("When the available credit falls under this amount, the contractor sees all stock as 0."),
    )
    credit_notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    message = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=500, help_text=_("Kept in the history.")
    )


class _EntryForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    order = fields.FormIdField(
        label=_("Order number"),
        required=False,
        help_text=_("Optional: one of the orders this contractor forwarded to you."),
    )

    def __init__(self, *args, account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_order(self) -> Order | None:
        number = self.cleaned_data.get("order")
        if not number:
            return None
        order = Order.objects.filter(account=self.account, pk=number).first()
        if order is None:
            raise forms.ValidationError(_("This order does not exist."))
        return order


class PaymentForm(_EntryForm):
    amount = fields.FormDecimalField(
        label=_("Amount paid"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    field_order = ["amount", "description", "order"]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "payment")
        super().__init__(*args, **kwargs)


class AdjustmentForm(_EntryForm):
    amount = fields.FormDecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Positive gives credit back, negative takes it."),
    )
    field_order = ["amount", "description", "order"]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "adjust")
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True
        self.fields["description"].help_text = _("Why: it stays in the ledger.")


CONTRACTOR_STATES = (
    [("", _("Connected"))]
    + list(ContractorLink.State.choices)
    + [
        ("disconnected", _("Disconnected")),
        ("all", _("All")),
    ]
)


# ----------------------------------------------------------------------------- the directory


class _CountryMultipleField(forms.MultipleChoiceField):
    """ISO countries by code (django-countries' list, names in the active language)."""

    def __init__(self, **kwargs):
        from connect.directory import country_choices

        super().__init__(choices=country_choices, **kwargs)


class PublicationForm(forms.Form):
    """The Publish tab. Parses; ``connect.directory.publication_save`` decides what a public entry
    needs (so private drafts may be incomplete) and checks the logo."""

    is_public = forms.TypedChoiceField(
        label=_("Visibility"),
        choices=[("0", _("Private: only partners with your code")), ("1", _("Public: in the directory"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    company_name = forms.CharField(label=_("Company name as listed"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you offer partners: range, brands, terms, delivery times."),
    )
    countries = _CountryMultipleField(
        label=_("Countries served"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    industries = forms.MultipleChoiceField(
        label=_("Industries"), choices=Industry.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    services = forms.MultipleChoiceField(
        label=_("Services"), choices=ServiceType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        required=False,
        help_text=_("Messages from the directory (Get in touch) and connection requests go here."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 256 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    logo_remove = forms.BooleanField(label=_("Remove the logo"), required=False)
    show_products = forms.BooleanField(
        label=_("Show products"),
        required=False,
        help_text=_("Visitors from the directory may browse the products this integration shares."),
    )
    show_prices = forms.BooleanField(
        label=_("Show prices publicly"),
        required=False,
        help_text=_("Visitors browsing your products see their prices too."),
    )
    approval_required = forms.BooleanField(
        label=_("Approval required"),
        required=False,
        help_text=_("Each new contractor from the directory waits until you accept it."),
    )

    def __init__(self, *args, products: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not products:
            for name in ("show_products", "show_prices"):
                del self.fields[name]

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("logo", None)
        data["countries"] = list(data.get("countries") or [])
        data["industries"] = list(data.get("industries") or [])
        data["services"] = list(data.get("services") or [])
        return data

    def logo_bytes(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        # Never read more than one byte past the limit: the service refuses it anyway.
        from connect.directory import LOGO_MAX_BYTES

        return upload.read(LOGO_MAX_BYTES + 1)


class DirectoryFilterForm(forms.Form):
    """The directory's filters. The countries offered are those listed entries serve (a country asked for
    in the address, ``?countries=DE``, is kept and offered too, so such a link still filters)."""

    search = forms.CharField(label=_("Name"), required=False, max_length=200)
    countries = forms.MultipleChoiceField(
        label=_("Countries"), required=False, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.MultipleChoiceField(
        label=_("Industries"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.MultipleChoiceField(
        label=_("Services"),
        choices=ServiceType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        from connect.directory import country_choices, directory_countries

        super().__init__(*args, **kwargs)
        offered = directory_countries()
        asked = set(self.data.getlist("countries") if hasattr(self.data, "getlist") else [])
        asked -= {code for code, _name in offered}
        if asked:
            offered += [(code, name) for code, name in country_choices() if code in asked]
        self.fields["countries"].choices = offered

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": (data.get("search") or "").replace("\x00", ""),
            "countries": data.get("countries") or [],
            "industries": data.get("industries") or [],
            "services": data.get("services") or [],
        }


class DirectoryMessageForm(forms.Form):
    reply_to = forms.EmailField(
        label=_("Your e-mail for replies"), help_text=_("The partner answers to this address.")
    )
    message = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class RequestAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    message = forms.CharField(
        label=_("Message to the contractor (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
