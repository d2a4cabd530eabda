"""The catalog has one writer: products, variants, texts, images, bundle components, stock and prices are
written only by ``catalog/services.py`` and the set-based ``catalog/bulk.py`` under it (which record the
change events consumers rely on). This test reads the code and names any other writer."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITERS = {"catalog/services.py", "catalog/bulk.py"}
# Benchmarks build their own fixtures and measure raw SQL baselines against the bulk layer.
SKIPPED_DIRS = {"tests", "bench", "migrations", ".venv", "node_modules", "static", "templates"}

MODELS = r"(?:Stock|Price|Product|ProductText|ProductImage|BundleComponent)"
TABLES = r"catalog_(?:stock|price|product|producttext|productimage|bundlecomponent|product_tags)\b"
WRITES = [
    # Model.objects....create( / .update( / .delete( / bulk_create / bulk_update / update_or_create ...
    re.compile(
        rf"\b{MODELS}\.objects\b[^\n]*?\.(?:create|update|delete|bulk_create|bulk_update|update_or_create"
        rf"|get_or_create)\("
    ),
    # a product's related rows through the product
    re.compile(
        r"\.(?:images|components|texts|stock|prices|tags|variants)\.(?:all\(\)\.)?(?:delete|set|add|remove"
        r"|create|clear|update)\("
    ),
    # an instance of one of the models saved or deleted
    re.compile(r"\b(?:product|variant|bundle|component|stock_row|price_row)\.(?:save|delete)\("),
    # raw SQL
    re.compile(rf"(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+{TABLES}", re.IGNORECASE),
]


def _sources():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if set(relative.parts[:-1]) & SKIPPED_DIRS or relative.as_posix() in WRITERS:
            continue
        yield relative.as_posix(), path.read_text(encoding="utf-8")


def test_only_the_catalog_services_write_products_stock_and_prices():
    found = []
    for name, text in _sources():
        for number, line in enumerate(text.splitlines(), start=1):
            if any(pattern.search(line) for pattern in WRITES):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "Catalog rows written outside catalog/services.py and catalog/bulk.py:\n" + "\n".join(
        found
    )


def test_the_guard_sees_each_kind_of_write():
    samples = [
        "Stock.objects.filter(product=p).update(quantity=1)",
        "ProductImage.objects.bulk_create(rows)",
        "product.images.all().delete()",
        "product.save()",
        'cursor.execute("UPDATE catalog_stock s SET quantity = 1")',
        "INSERT INTO catalog_price (product_id, price_group_id, amount)",
    ]
    assert all(any(pattern.search(sample) for pattern in WRITES) for sample in samples)
    assert not any(pattern.search("Stock.objects.filter(product=p).values('quantity')") for pattern in WRITES)
