"""Forms of the catalog pages. Every choice of a related row is limited to the active account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    PriceGroup,
    Product,
    Tag,
    Warehouse,
)
from config import fields


class AccountForm(fields.ModelForm):
    """A ModelForm whose related-row choices are this account's rows only."""

    scoped = {
        "inventory": Inventory,
        "category": Category,
        "manufacturer": Manufacturer,
        "tags": Tag,
        "warehouses": Warehouse,
        "price_groups": PriceGroup,
        "default_warehouse": Warehouse,
        "default_price_group": PriceGroup,
        "parent": Category,
    }

    def __init__(self, *args, account, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)
        if hasattr(self.instance, "account_id") and self.instance.account_id is None:
            self.instance.account = account
        for name, field in self.fields.items():
            model = self.scoped.get(name)
            if model is not None and hasattr(field, "queryset"):
                field.queryset = model.objects.filter(account=account)


def _features_parse(text: str) -> list[list[str]]:
    """``name: value`` per line → [[name, value], …] (BaseLinker's features)."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise forms.ValidationError(_("Write one feature per line as “name: value”."))
        rows.append([name.strip(), value.strip()])
    return rows


STAR_HELP = _("BaseLinker's star: a marker of your own from 1 to 5 stars to pick products out; 0 is none.")


class ProductForm(AccountForm):
    images = forms.CharField(
        label=_("Images"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Image URLs, one per line, in display order."),
    )

    class Meta(fields.ModelForm.Meta):
        model = Product
        fields = [
            "inventory",
            "sku",
            "ean",
            "tax_rate",
            "weight",
            "height",
            "width",
            "length",
            "category",
            "manufacturer",
            "tags",
            "star",
            "average_cost",
            "is_bundle",
        ]
        widgets = {"tags": forms.SelectMultiple(attrs={"size": 4})}
        labels = {
            "inventory": _("Catalog"),
            "category": _("Category"),
            "manufacturer": _("Manufacturer"),
            "star": _("Star marker"),
        }
        help_texts = {"star": STAR_HELP}

    def __init__(self, *args, parent: Product | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        inventory = parent.inventory if parent else (self.instance.inventory if self.instance.pk else None)
        if inventory is None:
            inventory = Inventory.objects.filter(account=self.account, is_default=True).first()
            # The instance's empty catalog would win over the field's initial value: offer the default.
            if inventory is not None and not self.initial.get("inventory"):
                self.initial["inventory"] = inventory.pk
        if parent is not None or self.instance.pk:
            self.fields.pop("inventory")
        self.inventory = inventory
        self.fields["category"].queryset = Category.objects.filter(account=self.account).filter(
            inventory__in=[inventory] if inventory else []
        ) | Category.objects.filter(account=self.account, inventory__isnull=True)
        self.languages = list(inventory.languages) if inventory else ["en"]
        texts = {t.language: t for t in self.instance.texts.all()} if self.instance.pk else {}
        extra_fields = list(ExtraField.objects.filter(account=self.account))
        for lang in self.languages:
            text = texts.get(lang)
            default = lang == (inventory.default_language if inventory else "en")
            self.fields[f"name_{lang}"] = forms.CharField(
                label=_("Name (%(lang)s)") % {"lang": lang},
                max_length=300,
                required=default,
                initial=text.name if text else "",
            )
            self.fields[f"description_{lang}"] = forms.CharField(
                label=_("Description (%(lang)s)") % {"lang": lang},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=text.description if text else "",
            )
            self.fields[f"features_{lang}"] = forms.CharField(
                label=_("Features (%(lang)s)") % {"lang": lang},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("One per line: “name: value”."),
                initial="\n".join(f"{n}: {v}" for n, v in (text.feature_pairs() if text else [])),
            )
            for field in extra_fields:
                self.fields[f"extra_{field.pk}_{lang}"] = forms.CharField(
                    label=f"{field.name} ({lang})",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}) if field.kind == "long" else forms.TextInput,
                    initial=(text.extra_field_values().get(str(field.pk), "") if text else ""),
                )
        self.extra_field_ids = [f.pk for f in extra_fields]
        if self.instance.pk:
            self.fields["images"].initial = "\n".join(i.url for i in self.instance.images.all())
        else:
            # A new product gets its first stock and price here; the grids on its page take the rest.
            warehouse = inventory.default_warehouse if inventory else None
            group = inventory.default_price_group if inventory else None
            self.fields["stock"] = fields.FormIntegerField(
                label=_("Stock"),
                min_value=0,
                required=False,
                help_text=_("In %(warehouse)s, the catalog's main warehouse.") % {"warehouse": warehouse}
                if warehouse
                else "",
            )
            self.fields["price"] = fields.FormDecimalField(
                label=_("Gross price (%(currency)s)") % {"currency": group.currency}
                if group
                else _("Gross price"),
                min_value=0,
                max_digits=14,
                decimal_places=2,
                required=False,
                help_text=_("In the price group %(group)s.") % {"group": group} if group else "",
            )
        default_language = inventory.default_language if inventory else "en"
        self.usual_names = [
            f"name_{default_language}",
            "sku",
            "ean",
            "stock",
            "price",
            "tax_rate",
            "inventory",
            "category",
            "manufacturer",
            f"description_{default_language}",
        ]
        self.shipping_names = ["weight", "length", "width", "height"]

    def sections(self) -> list[dict]:
        """The page's sections: the usual fields, shipping, and the rest behind "more"."""
        shown = [name for name in self.usual_names if name in self.fields]
        shipping = [name for name in self.shipping_names if name in self.fields]
        rest = [name for name in self.fields if name not in shown and name not in shipping]
        more = [self[name] for name in rest]
        return [
            {"key": "main", "title": _("Product"), "fields": [self[n] for n in shown], "more": []},
            {"key": "shipping", "title": _("Shipping"), "fields": [self[n] for n in shipping], "more": []},
            {
                "key": "more",
                "title": _("More: other languages, features, images, tags, bundle"),
                "fields": [],
                "more": more,
                "open": any(field.errors for field in more),
            },
        ]

    def stock_and_prices(self) -> tuple[list[tuple[int, int]] | None, list[tuple[int, object]] | None]:
        """The new product's first stock (main warehouse) and price (main price group), if given."""
        inventory = self.cleaned_data.get("inventory") or self.inventory
        if inventory is None:
            return None, None
        stock, price = self.cleaned_data.get("stock"), self.cleaned_data.get("price")
        return (
            [(inventory.default_warehouse_id, stock)] if stock is not None else None,
            [(inventory.default_price_group_id, price)] if price is not None else None,
        )

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        inventory = self.cleaned_data.get("inventory") or self.inventory
        if sku and inventory is not None:
            clash = Product.objects.filter(inventory=inventory, sku=sku).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("A product with this SKU already exists in the catalog."))
        return sku

    def clean_images(self):
        urls = [line.strip() for line in self.cleaned_data["images"].splitlines() if line.strip()]
        validator = forms.URLField(assume_scheme="https")
        for url in urls:
            validator.clean(url)
        return urls

    def clean(self):
        cleaned = super().clean()
        for lang in self.languages:
            name = f"features_{lang}"
            if name in cleaned:
                try:
                    cleaned[name] = _features_parse(cleaned[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    def texts(self) -> dict[str, dict]:
        result = {}
        for lang in self.languages:
            name = self.cleaned_data.get(f"name_{lang}", "")
            description = self.cleaned_data.get(f"description_{lang}", "")
            features = self.cleaned_data.get(f"features_{lang}", [])
            extra = {
                str(pk): self.cleaned_data[f"extra_{pk}_{lang}"]
                for pk in self.extra_field_ids
                if self.cleaned_data.get(f"extra_{pk}_{lang}")
            }
            if name or description or features or extra:
                result[lang] = {
                    "name": name,
                    "description": description,
                    "features": features,
                    "extra_fields": extra,
                }
        return result


class WarehouseForm(AccountForm):
    class Meta(fields.ModelForm.Meta):
        model = Warehouse
        fields = ["name", "description"]


class PriceGroupForm(AccountForm):
    class Meta(fields.ModelForm.Meta):
        model = PriceGroup
        fields = ["name", "currency", "description"]


class ManufacturerForm(AccountForm):
    class Meta(fields.ModelForm.Meta):
        model = Manufacturer
        fields = ["name"]


class TagForm(AccountForm):
    class Meta(fields.ModelForm.Meta):
        model = Tag
        fields = ["name"]


class ExtraFieldForm(AccountForm):
    class Meta(fields.ModelForm.Meta):
        model = ExtraField
        fields = ["name", "kind"]


class InventoryForm(AccountForm):
    languages = forms.CharField(
        label=_("Languages"), help_text=_("Two-letter codes separated by commas, e.g. “pl, en, de”.")
    )

    class Meta(fields.ModelForm.Meta):
        model = Inventory
        fields = [
            "name",
            "description",
            "languages",
            "default_language",
            "warehouses",
            "default_warehouse",
            "price_groups",
            "default_price_group",
        ]
        widgets = {
            "warehouses": forms.SelectMultiple(attrs={"size": 3}),
            "price_groups": forms.SelectMultiple(attrs={"size": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = ", ".join(self.instance.languages)

    def clean_languages(self):
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].split(",") if c.strip()]
        if not codes or any(len(c) != 2 or not c.isalpha() for c in codes):
            raise forms.ValidationError(_("Give two-letter language codes, e.g. “pl, en”."))
        return list(dict.fromkeys(codes))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("languages") and cleaned.get("default_language") not in cleaned["languages"]:
            self.add_error("default_language", _("The default language must be one of the languages."))
        if (
            cleaned.get("warehouses") is not None
            and cleaned.get("default_warehouse") not in cleaned["warehouses"]
        ):
            self.add_error("default_warehouse", _("Must be one of the catalog's warehouses."))
        if (
            cleaned.get("price_groups") is not None
            and cleaned.get("default_price_group") not in cleaned["price_groups"]
        ):
            self.add_error("default_price_group", _("Must be one of the catalog's price groups."))
        return cleaned


class CategoryForm(AccountForm):
    class Meta(fields.ModelForm.Meta):
        model = Category
        fields = ["name", "parent"]

    def __init__(self, *args, inventory: Inventory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.filter(account=self.account, inventory=inventory)


class ComponentForm(forms.Form):
    """The bundle components box of a product page: add a component (SKU or EAN and a quantity), or
    remove one (``remove``: the component row's id)."""

    component = forms.CharField(label=_("SKU or EAN"), max_length=50, required=False)
    quantity = fields.FormIntegerField(label=_("Quantity"), min_value=1, initial=1, required=False)
    remove = fields.FormIdField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("remove") and not self.errors:
            if not cleaned.get("component"):
                self.add_error("component", _("No product with this SKU or EAN."))
            if cleaned.get("quantity") is None:
                cleaned["quantity"] = 1
        return cleaned
