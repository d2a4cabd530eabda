"""Web pages of the catalog: product list, product page with stock and price grids, product and variant
forms, catalogs with their category trees, and the account's warehouses, price groups and names."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts import roles
from accounts.models import Role
from accounts.tenancy import AccountViewMixin
from catalog import forms, selectors, services
from catalog.bulk import BulkItemErrors, price_set_many, product_link_remove, stock_set_many
from catalog.external import external_catalogs, storage_label
from catalog.filters import ProductFilter
from catalog.models import (
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    PriceGroup,
    Product,
    ProductLink,
    Tag,
    Warehouse,
)
from catalog.services import bundle_component_remove, bundle_component_set, product_delete, product_save
from changes.origin import Origin
from config.fields import id_number
from config.paging import PAGE_SIZES, in_id_order, page_of_ids, page_size_from
from config.web import form_errors_from, safe_next

SORTS = {
    "-id": gettext_lazy("Newest"),
    "id": gettext_lazy("Oldest"),
    "sku": gettext_lazy("SKU"),
    "-sku": gettext_lazy("SKU, descending"),
    "ean": gettext_lazy("EAN"),
    "-ean": gettext_lazy("EAN, descending"),
    "-stock_total": gettext_lazy("Most stock"),
    "stock_total": gettext_lazy("Least stock"),
}


class ProductListView(AccountViewMixin, View):
    area = roles.PRODUCTS

    def get(self, request):
        chosen = request.GET.get("inventory", "")
        externals = external_catalogs(account=self.account)
        for external in externals:
            if chosen == external.key:
                return redirect(external.url)
        base = Product.objects.filter(account=self.account)
        params = request.GET.copy()
        if "is_variant" not in params and not params.get("search"):
            # Variants sit under their product — unless the user searches (a variant's SKU or EAN).
            params["is_variant"] = "false"
        product_filter = ProductFilter(params, queryset=base, request=request)
        sort = request.GET.get("sort", "-id")
        sort = sort if sort in SORTS else "-id"
        queryset = product_filter.qs
        if "stock_total" in sort:
            queryset = selectors.products_with_stock_total(queryset)
        per_page = page_size_from(request.GET)
        page, ids = page_of_ids(queryset.order_by(sort, "id"), request.GET.get("page"), per_page=per_page)
        products = in_id_order(selectors.products_for_list(account=self.account, ids=ids), ids)
        selectors.products_display_attach(products)
        query = request.GET.copy()
        query.pop("page", None)
        choices = product_filter.form.fields
        context = {
            "page": page,
            "products": products,
            "filter": product_filter,
            "sorts": SORTS,
            "sort": sort,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "query": query.urlencode(),
            # The choice lists are the filter's own (the account's rows): what is offered is what it takes.
            "inventories": choices["inventory"].queryset,
            "categories": choices["category"].queryset,
            "tags": choices["tags"].queryset,
            "manufacturers": choices["manufacturer"].queryset,
            "kinds": [(k, v[2]) for k, v in DICTIONARIES.items()],
            "external_catalogs": externals,
        }
        return render(request, "catalog/product_list.html", context)


def _selected_products(request, account) -> list[int]:
    """The ticked products' ids; anything but ids, or a product that is not the account's, is a 404."""
    ids = []
    for value in request.POST.getlist("products"):
        try:
            ids.append(id_number(value))
        except ValidationError:
            raise Http404("No such products.") from None
    ids = list(dict.fromkeys(ids))
    if Product.objects.filter(account=account, pk__in=ids).count() != len(ids):
        raise Http404("No such products.")
    return ids


class ProductBulkView(AccountViewMixin, View):
    """The list's bulk actions on the ticked products: add a tag, remove a tag."""

    area = roles.PRODUCTS

    def post(self, request):
        ids = _selected_products(request, self.account)
        back = safe_next(request) or "catalog:product-list"
        action = request.POST.get("action", "")
        kind, _sep, value = action.partition(":")
        if kind not in ("tag-add", "tag-remove"):
            messages.error(request, _("Choose an action."))
            return redirect(back)
        if not ids:
            messages.error(request, _("Select products first."))
            return redirect(back)
        try:
            tag = get_object_or_404(Tag, account=self.account, pk=id_number(value))
        except ValidationError:
            raise Http404("No such tag.") from None
        add = kind == "tag-add"
        changed = services.products_tag(
            actor=self.tenant, product_ids=ids, tag=tag, add=add, origin=Origin.of_tenant(self.tenant)
        )
        if add:
            text = ngettext(
                "Tag “%(tag)s” added to %(n)s product.", "Tag “%(tag)s” added to %(n)s products.", changed
            )
        else:
            text = ngettext(
                "Tag “%(tag)s” removed from %(n)s product.",
                "Tag “%(tag)s” removed from %(n)s products.",
                changed,
            )
        messages.success(request, text % {"tag": tag.name, "n": changed})
        return redirect(back)


class ProductBulkDeleteView(AccountViewMixin, View):
    """Delete the ticked products (after the confirm dialog); the ones a bundle still needs stay, and
    the message says why."""

    area = roles.PRODUCTS
    act = roles.Act.DELETE

    def post(self, request):
        ids = _selected_products(request, self.account)
        back = safe_next(request) or "catalog:product-list"
        if not ids:
            messages.error(request, _("Select products first."))
            return redirect(back)
        result = services.products_delete(
            actor=self.tenant, product_ids=ids, origin=Origin.of_tenant(self.tenant)
        )
        if result.deleted:
            messages.success(
                request,
                ngettext("%(n)s product deleted.", "%(n)s products deleted.", len(result.deleted))
                % {"n": len(result.deleted)},
            )
        names = dict(
            Product.objects.filter(account=self.account, pk__in=result.refused).values_list("pk", "sku")
        )
        for pk, reason in result.refused.items():
            messages.error(
                request,
                _("%(product)s not deleted: %(reason)s")
                % {"product": names.get(pk) or f"#{pk}", "reason": reason},
            )
        return redirect(back)


def _product_or_404(account, pk) -> Product:
    return get_object_or_404(Product.objects.select_related("inventory", "parent"), account=account, pk=pk)


class ProductDetailView(AccountViewMixin, View):
    area = roles.PRODUCTS

    def get(self, request, pk: int):
        product = _product_or_404(self.account, pk)
        return render(request, "catalog/product_detail.html", _detail_context(self, product))


def _detail_context(view, product: Product, **extra) -> dict:
    texts = list(product.texts.all())
    fields = selectors.extra_field_names(account=view.account)
    for text in texts:
        text.extra_named = [(fields.get(k, k), v) for k, v in text.extra_field_values().items()]
    link = ProductLink.objects.filter(account=view.account, product=product).first()
    if link is not None:
        link.label = storage_label(account=view.account, storage=link.storage, storage_id=link.storage_id)
    context = {
        "product": product,
        "external_link": link,
        "texts": sorted(texts, key=lambda t: t.language != product.inventory.default_language),
        "images": product.images.all(),
        "components": product.components.select_related("component"),
        "can_edit": view.tenant.has_role(Role.MEMBER),
        **selectors.product_grid(product=product),
        **extra,
    }
    return context


class ProductLinkRemoveView(AccountViewMixin, View):
    """Forget a product's link to a supplier's product (the product stays; it is no longer synced)."""

    area = roles.PRODUCTS

    def post(self, request, pk: int):
        product = _product_or_404(self.account, pk)
        if product_link_remove(actor=self.tenant, product_id=product.pk):
            messages.success(request, _("The link is removed: this product no longer follows the supplier."))
        return redirect("catalog:product-detail", pk=product.pk)


class ProductFormView(AccountViewMixin, View):
    """Create a product, a variant (``parent`` given) or edit one."""

    area = roles.PRODUCTS
    template = "catalog/product_form.html"

    def get(self, request, pk: int | None = None, parent: int | None = None):
        product, parent_product = self._objects(pk, parent)
        form = forms.ProductForm(instance=product, account=self.account, parent=parent_product)
        return self._render(form, product, parent_product)

    def post(self, request, pk: int | None = None, parent: int | None = None):
        product, parent_product = self._objects(pk, parent)
        form = forms.ProductForm(request.POST, instance=product, account=self.account, parent=parent_product)
        if form.is_valid():
            product = form.save(commit=False)
            product.account = self.account
            if parent_product is not None:
                product.parent = parent_product
            if product.inventory_id is None:
                product.inventory = form.inventory
            stock, prices = form.stock_and_prices()
            product_save(
                actor=self.tenant,
                product=product,
                origin=Origin.of_tenant(self.tenant),
                texts=form.texts(),
                images=form.cleaned_data["images"],
                tags=form.cleaned_data["tags"],
                stock=stock,
                prices=prices,
            )
            messages.success(request, _("Product saved."))
            return redirect("catalog:product-detail", pk=product.pk)
        return self._render(form, product, parent_product)

    def _objects(self, pk, parent):
        product = _product_or_404(self.account, pk) if pk else Product(account=self.account)
        parent_product = _product_or_404(self.account, parent) if parent else None
        if parent_product is not None and parent_product.parent_id:
            raise Http404("A variant cannot have variants.")
        return product, parent_product

    def _render(self, form, product, parent):
        return render(self.request, self.template, {"form": form, "product": product, "parent": parent})


class ProductDeleteView(AccountViewMixin, View):
    area = roles.PRODUCTS
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        product = _product_or_404(self.account, pk)
        try:
            product_delete(actor=self.tenant, product=product, origin=Origin.of_tenant(self.tenant))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("catalog:product-detail", pk=pk)
        messages.success(request, _("Product deleted."))
        return redirect("catalog:product-list")


class ProductGridView(AccountViewMixin, View):
    """Inline editing of the stock or price grid (HTMX): the whole grid in one all-or-nothing write."""

    area = roles.PRODUCTS

    def post(self, request, pk: int, kind: str):
        if kind not in ("stock", "prices"):
            raise Http404
        product = _product_or_404(self.account, pk)
        grid = selectors.product_grid(product=product)
        rows, errors, typed, refused = [], [], {}, set()
        columns = grid["warehouses"] if kind == "stock" else grid["price_groups"]
        before = {
            (row["product"].pk, column.pk): value
            for row in grid["grid_rows"]
            for column, value, _synced, _refused in row[kind]
        }
        for row in grid["grid_rows"]:
            for column in columns:
                raw = request.POST.get(f"v-{row['product'].pk}-{column.pk}", "")
                typed[(row["product"].pk, column.pk)] = raw
                value = raw.strip().replace(",", ".")
                if value == "":
                    continue
                rows.append((row["product"].pk, column.pk, value))
        changed = sum(
            1
            for product_id, column_id, value in rows
            if _cell_changed(before[(product_id, column_id)], value)
        )
        try:
            if kind == "stock":
                stock_set_many(actor=self.tenant, rows=rows, origin=Origin.of_tenant(self.tenant))
            else:
                price_set_many(actor=self.tenant, rows=rows, origin=Origin.of_tenant(self.tenant))
        except BulkItemErrors as exc:
            products = {r["product"].pk: r["product"] for r in grid["grid_rows"]}
            names = {column.pk: column.name for column in columns}
            for index, fields in exc.errors.items():
                product_id, column_id, value = rows[index]
                refused.add((product_id, column_id))
                row_product = products[product_id]
                label = row_product.display_name or row_product.sku or f"#{product_id}"
                if row_product.sku and row_product.display_name:
                    label = f"{label} ({row_product.sku})"
                for messages_ in fields.values():
                    errors.extend(
                        _("%(product)s, %(column)s: “%(value)s” — %(message)s")
                        % {"product": label, "column": names[column_id], "value": value, "message": m}
                        for m in messages_
                    )
        saved = "" if errors else _grid_saved_text(changed)
        context = _detail_context(self, product, grid_errors=errors, grid_saved=saved, grid_kind=kind)
        if errors:
            # Nothing was saved: the grid keeps every value as typed, the refused cells marked.
            for row in context["grid_rows"]:
                pk = row["product"].pk
                row[kind] = [
                    (column, typed[(pk, column.pk)], synced, (pk, column.pk) in refused)
                    for column, _value, synced, _refused in row[kind]
                ]
        else:
            context.update(selectors.product_grid(product=product))
        template = "catalog/_stock_grid.html" if kind == "stock" else "catalog/_price_grid.html"
        if request.headers.get("HX-Request"):
            return render(request, template, context)
        if errors:
            for error in errors:
                messages.error(request, error)
        else:
            messages.success(request, saved)
        return redirect("catalog:product-detail", pk=pk)


def _cell_changed(before, typed: str) -> bool:
    """Whether a grid cell's typed value differs from the one it had (an empty price cell had none)."""
    if before is None:
        return True
    try:
        return Decimal(typed) != Decimal(before)
    except (InvalidOperation, ValueError):
        return True  # refused by the write anyway


def _grid_saved_text(changed: int) -> str:
    if not changed:
        return _("Saved: no value changed.")
    return ngettext("Saved: %(n)s value changed.", "Saved: %(n)s values changed.", changed) % {"n": changed}


class ProductComponentView(AccountViewMixin, View):
    """Bundle components on the product page: add one (by SKU or EAN, with a quantity) or remove one."""

    area = roles.PRODUCTS

    def post(self, request, pk: int):
        bundle = _product_or_404(self.account, pk)
        form = forms.ComponentForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("catalog:product-detail", pk=pk)
        if form.cleaned_data["remove"]:
            bundle_component_remove(
                actor=self.tenant,
                bundle=bundle,
                component_row_id=form.cleaned_data["remove"],
                origin=Origin.of_tenant(self.tenant),
            )
            messages.success(request, _("Component removed."))
            return redirect("catalog:product-detail", pk=pk)
        component = selectors.product_by_code(account=self.account, code=form.cleaned_data["component"])
        if not bundle.is_bundle:
            messages.error(request, _("Mark the product as a bundle first (Edit → bundle)."))
        elif component is None:
            messages.error(request, _("No product with this SKU or EAN."))
        elif component.pk == bundle.pk:
            messages.error(request, _("A bundle cannot contain itself."))
        else:
            bundle_component_set(
                actor=self.tenant,
                bundle=bundle,
                component=component,
                quantity=form.cleaned_data["quantity"],
                origin=Origin.of_tenant(self.tenant),
            )
            messages.success(request, _("Component saved."))
        return redirect("catalog:product-detail", pk=pk)


# -- the account's dictionaries --------------------------------------------------------------------

DICTIONARIES = {
    "warehouses": (Warehouse, forms.WarehouseForm, gettext_lazy("Warehouses")),
    "price-groups": (PriceGroup, forms.PriceGroupForm, gettext_lazy("Price groups")),
    "manufacturers": (Manufacturer, forms.ManufacturerForm, gettext_lazy("Manufacturers")),
    "tags": (Tag, forms.TagForm, gettext_lazy("Tags")),
    "extra-fields": (ExtraField, forms.ExtraFieldForm, gettext_lazy("Product extra fields")),
}
# Each dictionary's writers in catalog.services: save(actor=, <row keyword>=row or None, **values) and
# delete(actor=, <row keyword>=row).
DICTIONARY_WRITERS = {
    "warehouses": ("warehouse", services.warehouse_save, services.warehouse_delete),
    "price-groups": ("price_group", services.price_group_save, services.price_group_delete),
    "manufacturers": ("manufacturer", services.manufacturer_save, services.manufacturer_delete),
    "tags": ("tag", services.tag_save, services.tag_delete),
    "extra-fields": ("extra_field", services.extra_field_save, services.extra_field_delete),
}


class DictionaryView(AccountViewMixin, View):
    """List and add the account's warehouses, price groups, manufacturers, tags and extra fields."""

    area = roles.CATALOG_SETTINGS

    def dispatch(self, request, *args, kind: str, **kwargs):
        if kind not in DICTIONARIES:
            raise Http404
        self.kind = kind
        self.model, self.form_class, self.title = DICTIONARIES[kind]
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk: int | None = None):
        instance = get_object_or_404(self.model, account=self.account, pk=pk) if pk else None
        return self._render(self.form_class(instance=instance, account=self.account), instance)

    def post(self, request, pk: int | None = None):
        instance = get_object_or_404(self.model, account=self.account, pk=pk) if pk else None
        form = self.form_class(request.POST, instance=instance, account=self.account)
        if form.is_valid():
            keyword, save, _delete = DICTIONARY_WRITERS[self.kind]
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                save(actor=self.tenant, **{keyword: instance}, **values)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("catalog:dictionary", kind=self.kind)
        return self._render(form, instance)

    def _render(self, form, instance):
        rows = self.model.objects.filter(account=self.account)
        return render(
            self.request,
            "catalog/dictionary.html",
            {
                "rows": rows,
                "form": form,
                "instance": instance,
                "kind": self.kind,
                "title": self.title,
                "kinds": [(k, v[2]) for k, v in DICTIONARIES.items()],
                "can_manage": self.tenant.has_role(Role.ADMIN),
            },
        )


class DictionaryDeleteView(AccountViewMixin, View):
    area = roles.CATALOG_SETTINGS
    act = roles.Act.DELETE

    def post(self, request, kind: str, pk: int):
        if kind not in DICTIONARIES:
            raise Http404
        model = DICTIONARIES[kind][0]
        row = get_object_or_404(model, account=self.account, pk=pk)
        keyword, _save, delete = DICTIONARY_WRITERS[kind]
        try:
            delete(actor=self.tenant, **{keyword: row})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Deleted."))
        return redirect("catalog:dictionary", kind=kind)


class InventoryListView(AccountViewMixin, View):
    """Catalogs: list, add, edit (``pk``)."""

    area = roles.CATALOG_SETTINGS

    def get(self, request, pk: int | None = None):
        instance = get_object_or_404(Inventory, account=self.account, pk=pk) if pk else None
        return self._render(forms.InventoryForm(instance=instance, account=self.account), instance)

    def post(self, request, pk: int | None = None):
        instance = get_object_or_404(Inventory, account=self.account, pk=pk) if pk else None
        form = forms.InventoryForm(request.POST, instance=instance, account=self.account)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.inventory_save(
                    actor=self.tenant,
                    inventory=instance,
                    name=data["name"],
                    description=data["description"],
                    languages=data["languages"],
                    default_language=data["default_language"],
                    warehouses=[w.pk for w in data["warehouses"]],
                    default_warehouse=data["default_warehouse"].pk,
                    price_groups=[g.pk for g in data["price_groups"]],
                    default_price_group=data["default_price_group"].pk,
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Catalog saved."))
                return redirect("catalog:inventory-list")
        return self._render(form, instance)

    def _render(self, form, instance):
        inventories = selectors.inventory_list(account=self.account)
        return render(
            self.request,
            "catalog/inventory_list.html",
            {
                "inventories": inventories,
                "form": form,
                "instance": instance,
                "kinds": [(k, v[2]) for k, v in DICTIONARIES.items()],
                "can_manage": self.tenant.has_role(Role.ADMIN),
            },
        )


class CategoryTreeView(AccountViewMixin, View):
    area = roles.CATALOG_SETTINGS

    def get(self, request, pk: int):
        inventory = get_object_or_404(Inventory, account=self.account, pk=pk)
        return self._render(inventory, forms.CategoryForm(account=self.account, inventory=inventory))

    def post(self, request, pk: int):
        inventory = get_object_or_404(Inventory, account=self.account, pk=pk)
        form = forms.CategoryForm(request.POST, account=self.account, inventory=inventory)
        if form.is_valid():
            parent = form.cleaned_data["parent"]
            try:
                services.category_save(
                    actor=self.tenant,
                    inventory=inventory.pk,
                    name=form.cleaned_data["name"],
                    parent=parent.pk if parent is not None else None,
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Category added."))
                return redirect("catalog:category-tree", pk=inventory.pk)
        return self._render(inventory, form)

    def _render(self, inventory, form):
        tree = selectors.category_tree(account=self.account, inventory=inventory)
        return render(
            self.request,
            "catalog/category_tree.html",
            {
                "inventory": inventory,
                "tree": tree,
                "form": form,
                "can_manage": self.tenant.has_role(Role.ADMIN),
            },
        )


class CategoryDeleteView(AccountViewMixin, View):
    area = roles.CATALOG_SETTINGS
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        category = get_object_or_404(Category, account=self.account, pk=pk)
        inventory_id = category.inventory_id
        services.category_delete(actor=self.tenant, category=category, with_subcategories=True)
        messages.success(request, _("Category deleted; its products are now without a category."))
        if inventory_id:
            return redirect("catalog:category-tree", pk=inventory_id)
        return redirect(reverse("catalog:inventory-list"))
