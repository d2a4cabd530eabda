"""Web pages of the catalog: product list, product page with stock and price grids, product and variant
forms, catalogs with their category trees, and the account's warehouses, price groups and names."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    ProtectedError,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import roles
from accounts.models import Role
from accounts.tenancy import AccountViewMixin
from catalog import forms
from catalog.bulk import BulkItemErrors, price_set_many, product_link_remove, stock_set_many
from catalog.external import external_catalogs, storage_label
from catalog.filters import ProductFilter
from catalog.models import (
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    Price,
    PriceGroup,
    Product,
    ProductImage,
    ProductLink,
    ProductText,
    Stock,
    Tag,
    Warehouse,
)
from catalog.services import bundle_component_remove, bundle_component_set, product_delete, product_save
from changes.origin import Origin
from config.integrity import account_row_save
from config.paging import in_id_order, page_of_ids
from config.web import form_errors_from

SORTS = {
    "-id": gettext_lazy("Newest"),
    "id": gettext_lazy("Oldest"),
    "sku": gettext_lazy("SKU"),
    "-stock_total": gettext_lazy("Most stock"),
    "stock_total": gettext_lazy("Least stock"),
}


def products_for_list(queryset, *, account):
    """Annotate what the list shows: total stock, the catalog's default price, number of variants."""
    stock = (
        Stock.objects.filter(product_id=OuterRef("pk"))
        .values("product_id")
        .annotate(s=Sum("quantity"))
        .values("s")
    )
    price = Price.objects.filter(
        product_id=OuterRef("pk"), price_group_id=OuterRef("inventory__default_price_group_id")
    ).values("amount")[:1]
    variants = (
        Product.objects.filter(parent_id=OuterRef("pk"))
        .values("parent_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.annotate(
        stock_total=Coalesce(Subquery(stock, output_field=IntegerField()), 0),
        default_price=Subquery(price, output_field=DecimalField()),
        variant_count=Coalesce(Subquery(variants, output_field=IntegerField()), 0),
    ).select_related("inventory", "inventory__default_price_group")


def _stock_total(queryset):
    """Only the total stock, for sorting the ids of a list by it."""
    stock = (
        Stock.objects.filter(product_id=OuterRef("pk"))
        .values("product_id")
        .annotate(s=Sum("quantity"))
        .values("s")
    )
    return queryset.annotate(stock_total=Coalesce(Subquery(stock, output_field=IntegerField()), 0))


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
            queryset = _stock_total(queryset)
        page, ids = page_of_ids(queryset.order_by(sort, "id"), request.GET.get("page"))
        products = in_id_order(
            products_for_list(Product.objects.filter(pk__in=ids), account=self.account), ids
        )
        _attach_display(products)
        query = request.GET.copy()
        query.pop("page", None)
        choices = product_filter.form.fields
        context = {
            "page": page,
            "products": products,
            "filter": product_filter,
            "sorts": SORTS,
            "sort": sort,
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


def _attach_display(products: list[Product]) -> None:
    """One query each for names (default language first) and first images of a page of products."""
    ids = [p.pk for p in products]
    names: dict[int, str] = {}
    for text in ProductText.objects.filter(product_id__in=ids).select_related("product__inventory"):
        if text.product_id not in names or text.language == text.product.inventory.default_language:
            names[text.product_id] = text.name
    images: dict[int, str] = {}
    for image in ProductImage.objects.filter(product_id__in=ids).order_by("product_id", "position", "id"):
        images.setdefault(image.product_id, image.url)
    links = dict(ProductLink.objects.filter(product_id__in=ids).values_list("product_id", "unshared_at"))
    for product in products:
        product.display_name = names.get(product.pk, "")
        product.image_url = images.get(product.pk, "")
        product.is_linked = product.pk in links
        product.is_unshared = links.get(product.pk) is not None


def _product_or_404(account, pk) -> Product:
    return get_object_or_404(Product.objects.select_related("inventory", "parent"), account=account, pk=pk)


class ProductDetailView(AccountViewMixin, View):
    area = roles.PRODUCTS

    def get(self, request, pk: int):
        product = _product_or_404(self.account, pk)
        return render(request, "catalog/product_detail.html", _detail_context(self, product))


def _grid(product: Product) -> dict:
    """Stock and price grids: rows are the product and its variants, columns the catalog's warehouses
    and price groups."""
    main = product.parent or product
    rows = [main, *main.variants.order_by("id")]
    _attach_display(rows)
    inventory = main.inventory
    warehouses = list(inventory.warehouses.all())
    groups = list(inventory.price_groups.all())
    stock = {(s.product_id, s.warehouse_id): s.quantity for s in Stock.objects.filter(product__in=rows)}
    prices = {(p.product_id, p.price_group_id): p.amount for p in Price.objects.filter(product__in=rows)}
    return {
        "grid_rows": [
            {
                "product": row,
                "stock": [(w, stock.get((row.pk, w.pk), 0)) for w in warehouses],
                "prices": [(g, prices.get((row.pk, g.pk))) for g in groups],
            }
            for row in rows
        ],
        "warehouses": warehouses,
        "price_groups": groups,
        "grid_product": main,
    }


def _detail_context(view, product: Product, **extra) -> dict:
    texts = list(product.texts.all())
    fields = {str(f.pk): f.name for f in ExtraField.objects.filter(account=view.account)}
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
        **_grid(product),
        **extra,
    }
    return context


class ProductLinkRemoveView(AccountViewMixin, View):
    """Forget a product's link to a supplier's product (the product stays; it is no longer synced)."""

    area = roles.PRODUCTS

    def post(self, request, pk: int):
        product = _product_or_404(self.account, pk)
        if product_link_remove(account=self.account, product_id=product.pk):
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
            product_save(
                product=product,
                origin=Origin.of_tenant(self.tenant),
                texts=form.texts(),
                images=form.cleaned_data["images"],
                tags=form.cleaned_data["tags"],
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
            product_delete(product=product, origin=Origin.of_tenant(self.tenant))
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
        grid = _grid(product)
        rows, errors = [], []
        columns = grid["warehouses"] if kind == "stock" else grid["price_groups"]
        for row in grid["grid_rows"]:
            for column in columns:
                value = request.POST.get(f"v-{row['product'].pk}-{column.pk}", "").strip().replace(",", ".")
                if value == "":
                    continue
                rows.append((row["product"].pk, column.pk, value))
        try:
            if kind == "stock":
                stock_set_many(account=self.account, rows=rows, origin=Origin.of_tenant(self.tenant))
            else:
                price_set_many(account=self.account, rows=rows, origin=Origin.of_tenant(self.tenant))
        except BulkItemErrors as exc:
            for index, fields in exc.errors.items():
                product_id, column_id, value = rows[index]
                label = next((r["product"] for r in grid["grid_rows"] if r["product"].pk == product_id), "")
                for messages_ in fields.values():
                    errors.extend(f"{label} · {value}: {m}" for m in messages_)
        context = _detail_context(self, product, grid_errors=errors, grid_saved=not errors, grid_kind=kind)
        if not errors:
            context.update(_grid(product))
        template = "catalog/_stock_grid.html" if kind == "stock" else "catalog/_price_grid.html"
        if request.headers.get("HX-Request"):
            return render(request, template, context)
        if errors:
            for error in errors:
                messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect("catalog:product-detail", pk=pk)


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
                bundle=bundle,
                component_row_id=form.cleaned_data["remove"],
                origin=Origin.of_tenant(self.tenant),
            )
            messages.success(request, _("Component removed."))
            return redirect("catalog:product-detail", pk=pk)
        code = form.cleaned_data["component"].strip()
        component = (
            Product.objects.filter(account=self.account)
            .filter(Q(sku=code) | Q(ean=code))
            .exclude(sku="")
            .first()
            if code
            else None
        )
        if not bundle.is_bundle:
            messages.error(request, _("Mark the product as a bundle first (Edit → bundle)."))
        elif component is None:
            messages.error(request, _("No product with this SKU or EAN."))
        elif component.pk == bundle.pk:
            messages.error(request, _("A bundle cannot contain itself."))
        else:
            bundle_component_set(
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
            row = form.save(commit=False)
            row.account = self.account
            try:
                account_row_save(row)
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
        if getattr(row, "is_default", False):
            messages.error(request, _("The default one cannot be deleted."))
        else:
            try:
                with transaction.atomic():
                    row.delete()
                messages.success(request, _("Deleted."))
            except ProtectedError:
                messages.error(request, _("It is still in use by a catalog; change that first."))
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
            inventory = form.save(commit=False)
            inventory.account = self.account
            try:
                with transaction.atomic():
                    account_row_save(inventory)
                    form.save_m2m()
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Catalog saved."))
                return redirect("catalog:inventory-list")
        return self._render(form, instance)

    def _render(self, form, instance):
        inventories = (
            Inventory.objects.filter(account=self.account)
            .annotate(product_count=Count("products", distinct=True))
            .prefetch_related(Prefetch("warehouses"), Prefetch("price_groups"))
        )
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
            category = form.save(commit=False)
            category.account = self.account
            category.inventory = inventory
            category.save()
            messages.success(request, _("Category added."))
            return redirect("catalog:category-tree", pk=inventory.pk)
        return self._render(inventory, form)

    def _render(self, inventory, form):
        categories = list(Category.objects.filter(account=self.account, inventory=inventory).order_by("name"))
        children: dict[int | None, list[Category]] = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)
        tree: list[tuple[int, Category]] = []

        def walk(parent_id, depth):
            for category in children.get(parent_id, []):
                tree.append((depth, category))
                walk(category.pk, depth + 1)

        walk(None, 0)
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
        category.delete()
        messages.success(request, _("Category deleted; its products are now without a category."))
        if inventory_id:
            return redirect("catalog:category-tree", pk=inventory_id)
        return redirect(reverse("catalog:inventory-list"))
