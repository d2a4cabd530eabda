"""The apps that make changes never import the apps that react to them: those plug in through the
change registry and the action registry, so neither can grow an import cycle with the producers."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCERS = ("orders", "shipments")
CONSUMERS = ("connect", "wmsbridge")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_orders_and_shipments_do_not_import_connect_or_the_wms_bridge():
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for app in PRODUCERS
        for path in sorted((ROOT / app).rglob("*.py"))
        for name in sorted(_imported_modules(path))
        if name.split(".")[0] in CONSUMERS
    ]
    assert offending == []
