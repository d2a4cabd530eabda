"""The isolation suite's report: routes × methods tried as account B, against what the routes allow."""

from __future__ import annotations

from collections import Counter

from tests.isolation import checks
from tests.isolation.routes import all_routes, allowed_methods


def summary() -> str | None:
    """A few lines for the end of a run, or None when no isolation case ran."""
    tally = checks.TALLY
    if not (tally.tried or tally.admin):
        return None
    from tests.isolation.test_isolation import CASES, _covered

    routes = all_routes()
    kinds: Counter = Counter()
    allowed: set[tuple[str, str]] = set()
    for route in routes:
        case = next((c for c in CASES if _covered(route.id, [c.route])), None)
        kind = case.kind if case else "unregistered"
        kinds[kind] += 1
        if kind in ("public", "staff", "unregistered"):
            continue
        methods = allowed_methods(route)
        if methods is None:  # a function view: what it allows is what it did not answer with 405
            methods = tuple(m for r, m in tally.tried if r == route.id)
        allowed |= {(route.id, method) for method in methods}
    tried = tally.tried & allowed
    by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    requests = sum(tally.requests.values())
    ways = ", ".join(f"{how} {n}" for how, n in sorted(tally.requests.items()))
    ref_routes = {route for route, _field in tally.refs}
    lines = [
        f"routes: {len(routes)} ({by_kind})",
        f"route × method pairs tried as account B: {len(tried)} of the {len(allowed)} the routes allow,"
        f" in {requests} requests ({ways})",
        f"reference fields naming account A's rows: {len(tally.refs)} on {len(ref_routes)} write routes;"
        f" grant routes opened and closed: {len(tally.grants)};"
        f" admin route × method pairs refused to a non-staff user: {len(tally.admin)}",
    ]
    untried = sorted(allowed - tried)
    if untried:
        shown = ", ".join(f"{method} {route}" for route, method in untried[:8])
        more = f" and {len(untried) - 8} more" if len(untried) > 8 else ""
        lines.append(f"not tried in this run (deselected?): {len(untried)}: {shown}{more}")
    return "\n".join(lines)
