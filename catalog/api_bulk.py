"""REST API of the catalog's bulk paths: stock and price batches, CSV batches, CSV import jobs."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import roles
from accounts.api_base import AccountScopedMixin, AccountScopedRelatedField
from catalog.bulk import STOCK_MAX, BulkItemErrors, price_set_many, stock_set_many
from catalog.filters import ImportJobFilter
from catalog.imports import import_job_create
from catalog.models import ImportJob, Inventory
from changes.origin import Origin
from config import fields
from config.parsers import JSONParser
from config.stored_messages import message_text

MAX_ITEMS = 1000
MAX_REPORTED = 1000


# --- stock and price batches -------------------------------------------------------------------------------


class _ItemSerializer(serializers.Serializer):
    product_id = fields.IdField(required=False, help_text="The product or variant.")
    sku = serializers.CharField(max_length=50, required=False, help_text="Instead of product_id.")
    inventory_id = fields.IdField(required=False, help_text="The catalog of the SKU (required with sku).")

    def validate(self, attrs):
        if ("product_id" in attrs) == ("sku" in attrs):
            raise serializers.ValidationError({"product_id": ["Give either product_id or sku."]})
        if "sku" in attrs and "inventory_id" not in attrs:
            raise serializers.ValidationError({"inventory_id": ["Required with sku."]})
        return attrs


class StockItemSerializer(_ItemSerializer):
    warehouse_id = fields.IdField()
    quantity = fields.IntegerField(min_value=0, max_value=STOCK_MAX)


class PriceItemSerializer(_ItemSerializer):
    price_group_id = fields.IdField()
    amount = fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class StockBatchSerializer(serializers.Serializer):
    items = StockItemSerializer(many=True, max_length=MAX_ITEMS)


class PriceBatchSerializer(serializers.Serializer):
    items = PriceItemSerializer(many=True, max_length=MAX_ITEMS)


class CatalogBulkResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="Existing rows set to the new value.")
    created = serializers.IntegerField(help_text="Rows created (the product had none for that target).")


class CatalogBulkErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        help_text='`{"items": {"<index>": {"<field>": ["message"]}}}` (JSON) or '
        '`{"rows": {"<line>": {...}}}` (CSV; the header is line 1).'
    )
    error_count = serializers.IntegerField(required=False)


class CSVStreamParser(BaseParser):
    """Hands the view the request body as a text stream, unread: CSV batches are never held in memory."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return _TextStream(stream)


class _TextStream:
    def __init__(self, stream):
        self.stream = stream

    def text(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BufferedReader(_RawReader(self.stream)), encoding="utf-8-sig", newline="")


class _RawReader(io.RawIOBase):
    def __init__(self, source):
        self.source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.source is None:
            return 0
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _item_errors(errors: dict, key: str, base: int = 0, extra: dict | None = None):
    total = len(errors)
    shown = {str(index + base): fields for index, fields in list(errors.items())[:MAX_REPORTED]}
    error = serializers.ValidationError({key: shown})
    error.extra_data = {"error_count": total, **(extra or {})}
    return error


FILE_UPLOAD = inline_serializer(
    "CatalogBulkFileUpload", {"file": serializers.FileField(help_text="The CSV file.")}
)

# Other bodies are parsed too, only to answer them with a 400 that says what to send.
FILE_PARSERS = [CSVStreamParser, MultiPartParser, FormParser, JSONParser]


class _BulkViewSet(AccountScopedMixin, viewsets.GenericViewSet):
    """Set stock or prices of many products at once. All or nothing: any problem → 400, nothing written."""

    area = roles.PRODUCTS
    item_serializer: type[_ItemSerializer]
    target_field: str
    value_field: str
    service = staticmethod(stock_set_many)
    queryset = Inventory.objects.none()  # for the schema; the services scope every id to the account
    pagination_class = None
    filter_backends: list = []

    def _run(self, rows, *, key: str, base: int = 0):
        try:
            result = self.service(actor=self.tenant, rows=rows, origin=Origin.of_tenant(self.tenant))
        except BulkItemErrors as exc:
            raise _item_errors(exc.errors, key, base) from exc
        return Response({"updated": result.updated, "created": result.created})

    def bulk(self, request):
        data = request.data
        if isinstance(data, dict) and "items" in data:
            data = data["items"]
        if not isinstance(data, list):
            raise serializers.ValidationError({"items": ['Send a list of items (or {"items": [...]}).']})
        if not data:
            raise serializers.ValidationError({"items": ["At least one item."]})
        if len(data) > MAX_ITEMS:
            raise serializers.ValidationError(
                {
                    "items": [
                        f"At most {MAX_ITEMS} items per call ({len(data)} sent); "
                        "send larger batches as CSV to bulk-file/."
                    ]
                }
            )
        errors, rows = {}, []
        for index, item in enumerate(data):
            serializer = self.item_serializer(data=item)
            if not serializer.is_valid():
                errors[index] = serializer.errors
                continue
            item = serializer.validated_data
            rows.append(
                (
                    item.get("product_id") or item["sku"],
                    item[self.target_field],
                    item[self.value_field],
                    item.get("inventory_id"),
                )
            )
        if errors:
            raise _item_errors(errors, "items")
        return self._run(rows, key="items")

    def bulk_file(self, request):
        try:
            body = request.data
        except UnsupportedMediaType:
            body = None
        if isinstance(body, _TextStream):
            text = body.text()
        elif hasattr(body, "get") and body.get("file") is not None:
            text = io.TextIOWrapper(body["file"].file, encoding="utf-8-sig", newline="")
        else:
            raise serializers.ValidationError(
                {"file": ["Send the CSV as the body (Content-Type: text/csv) or as a multipart file field."]}
            )
        return self._run(self._csv_rows(text), key="rows", base=2)

    def _csv_rows(self, text):
        """Rows of the CSV body as service items; problems with the header stop before anything is read."""
        reader = csv.reader(text)
        try:
            header = [cell.strip().lower() for cell in next(reader)]
        except (StopIteration, UnicodeDecodeError, csv.Error):
            raise serializers.ValidationError(
                {"file": ["The CSV body is empty or not UTF-8 text."]}
            ) from None
        needed = [self.target_field, self.value_field]
        if "product_id" not in header and "sku" not in header:
            needed.insert(0, "product_id")
        missing = [name for name in needed if name not in header]
        if missing:
            raise serializers.ValidationError(
                {"file": [f"The header needs the columns {', '.join(missing)} (it has {', '.join(header)})."]}
            )
        by_name = {name: index for index, name in enumerate(header)}
        product = by_name.get("product_id", by_name.get("sku"))
        sku_column = "product_id" not in by_name
        target, value = by_name[self.target_field], by_name[self.value_field]
        inventory = by_name.get("inventory_id")
        width = len(header)
        return self._iterate(reader, product, sku_column, target, value, inventory, width)

    @staticmethod
    def _iterate(reader, product, sku_column, target, value, inventory, width):
        try:
            for cells in reader:
                if len(cells) < width:
                    cells = cells + [None] * (width - len(cells))
                product_ref = (cells[product] or "").strip()
                if not sku_column:  # the service takes an int as a product id, a str as a SKU
                    product_ref = _id_or_none(product_ref)
                yield (
                    product_ref,
                    cells[target],
                    cells[value],
                    cells[inventory] if inventory is not None else None,
                )
        except (UnicodeDecodeError, csv.Error) as exc:
            raise serializers.ValidationError({"file": [f"The CSV body cannot be read: {exc}"]}) from None


def _id_or_none(text: str) -> int | None:
    try:
        return fields.id_number(text)
    except DjangoValidationError:
        return None  # the service reports the row's missing product id


_BULK_FILE_DOC = (
    "CSV body (`Content-Type: text/csv`, or a multipart `file` field), any number of rows, streamed. "
    "Header: `product_id,{target},{value}` or `sku,inventory_id,{target},{value}`. All or nothing; "
    "problems come back as `errors.rows` keyed by line number (the header is line 1), at most "
    f"{MAX_REPORTED}, with `error_count`."
)


class StockBulkViewSet(_BulkViewSet):
    serializer_class = StockBatchSerializer  # what OPTIONS describes (without one it answered 500)
    item_serializer = StockItemSerializer
    target_field = "warehouse_id"
    value_field = "quantity"
    service = staticmethod(stock_set_many)

    @extend_schema(
        summary="Set stock of up to 1,000 products",
        request={"application/json": StockBatchSerializer},
        responses={200: CatalogBulkResultSerializer, 400: CatalogBulkErrorSerializer},
        examples=[
            OpenApiExample(
                "Two items",
                value={
                    "items": [
                        {"product_id": 12, "warehouse_id": 1, "quantity": 40},
                        {"sku": "TSHIRT-M", "inventory_id": 3, "warehouse_id": 1, "quantity": 0},
                    ]
                },
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Set the quantity of each (product, warehouse) given; a product's missing stock row is created.
        Quantities must not be negative; products and warehouses must be the account's. All or nothing:
        a 400 lists every wrong item as `errors.items["<index>"]` and nothing is written."""
        return super().bulk(request)

    @extend_schema(
        summary="Set stock from a CSV body of any size",
        description=_BULK_FILE_DOC.format(target="warehouse_id", value="quantity"),
        request={"text/csv": OpenApiTypes.STR, "multipart/form-data": FILE_UPLOAD},
        responses={200: CatalogBulkResultSerializer, 400: CatalogBulkErrorSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk-file", parser_classes=FILE_PARSERS)
    def bulk_file(self, request):
        return super().bulk_file(request)


class PriceBulkViewSet(_BulkViewSet):
    serializer_class = PriceBatchSerializer  # what OPTIONS describes (without one it answered 500)
    item_serializer = PriceItemSerializer
    target_field = "price_group_id"
    value_field = "amount"
    service = staticmethod(price_set_many)

    @extend_schema(
        summary="Set prices of up to 1,000 products",
        request={"application/json": PriceBatchSerializer},
        responses={200: CatalogBulkResultSerializer, 400: CatalogBulkErrorSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Set the price of each (product, price group) given; a missing price row is created. Amounts
        must not be negative; products and price groups must be the account's. All or nothing."""
        return super().bulk(request)

    @extend_schema(
        summary="Set prices from a CSV body of any size",
        description=_BULK_FILE_DOC.format(target="price_group_id", value="amount"),
        request={"text/csv": OpenApiTypes.STR, "multipart/form-data": FILE_UPLOAD},
        responses={200: CatalogBulkResultSerializer, 400: CatalogBulkErrorSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk-file", parser_classes=FILE_PARSERS)
    def bulk_file(self, request):
        return super().bulk_file(request)


# --- import jobs -------------------------------------------------------------------------------------------


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row of the file as a spreadsheet numbers it; the header is 1.")
    column = serializers.CharField()
    message = serializers.CharField()


class ImportJobSerializer(fields.ModelSerializer):
    inventory = AccountScopedRelatedField(
        queryset=Inventory.objects.all(), help_text="The catalog to import into."
    )
    file = serializers.FileField(write_only=True, help_text="The CSV file (format: see the README).")
    percent = serializers.IntegerField(read_only=True)
    # A plain string in the schema: the enum name "status" is taken by other components.
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "inventory",
            "file",
            "file_name",
            "valid_rows_only",
            "status",
            "total_rows",
            "processed_rows",
            "percent",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = [
            "id",
            "file_name",
            "status",
            "total_rows",
            "processed_rows",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ImportJobDetailSerializer(ImportJobSerializer):
    errors = serializers.SerializerMethodField(help_text=f"The first {ImportJob.ERRORS_KEPT} problems.")

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "errors"]

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job):
        return [
            {"row": row, "column": column, "message": message_text(message)}
            for row, column, message in job.errors
        ]


class ImportJobViewSet(
    AccountScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """CSV imports into a catalog, run as background jobs: start one, then poll its progress and report."""

    area = roles.PRODUCTS
    queryset = ImportJob.objects.select_related("inventory")
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_class = ImportJobFilter
    ordering_fields = ["created_at", "id"]

    def get_serializer_class(self):
        return ImportJobDetailSerializer if self.action == "retrieve" else ImportJobSerializer

    @extend_schema(
        summary="Start a CSV import",
        responses={202: ImportJobSerializer, 400: OpenApiResponse(description="Invalid input.")},
    )
    def create(self, request, *args, **kwargs):
        """Upload a CSV file (multipart: `inventory`, `file`, `valid_rows_only`). The import runs in the
        background: 202 with the job; poll `GET /imports/{id}/` for `processed_rows` / `total_rows` and,
        when `status` is `done`, the counts and `errors`."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = import_job_create(
            actor=self.tenant,
            inventory=data["inventory"],
            file=data["file"],
            origin=Origin.of_tenant(self.tenant),
            valid_rows_only=data.get("valid_rows_only", False),
        )
        return Response(
            ImportJobSerializer(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )
