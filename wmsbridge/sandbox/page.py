"""The sandbox's demo page at ``/_sandbox/``: orders per goods owner with warehouse buttons
(Pick, Pack & send, Collected) and the labels/tracking the shop uploaded. Plain HTML, inline CSS."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from .state import STATUS_CANCELLED, SandboxState

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;
background:#f4f5f7;color:#1d2330}
header{background:#1f3a5f;color:#fff;padding:12px 24px}header h1{margin:0;font-size:18px}
header p{margin:4px 0 0;opacity:.8;font-size:12px}main{padding:16px 24px}
section{background:#fff;border:1px solid #d9dde3;border-radius:6px;margin-bottom:18px;padding:12px 16px;
overflow-x:auto}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-top:1px solid #eceef1;vertical-align:top}
th{font-size:12px;color:#5b6472;border-top:0}.muted{color:#8a93a1}.s{font-weight:600}
.s200{color:#5b6472}.s300,.s320{color:#8a5a00}.s400{color:#0b63b6}.s450{color:#6b3fb3}.s500{color:#1d7a3a}
.s1000{color:#b3261e;text-decoration:line-through}
form{display:inline}button{font:inherit;font-size:12px;padding:3px 8px;margin:0 2px 2px 0;cursor:pointer;
border:1px solid #9aa3af;border-radius:4px;background:#fff}button:hover{background:#eef2f7}
button.primary{background:#1f3a5f;color:#fff;border-color:#1f3a5f}
input{font:inherit;font-size:12px;padding:2px 4px;width:150px}ul{margin:0;padding-left:16px}
.stock td{padding:3px 8px}code{font-size:12px}
"""

# The page's icon, given inline: the browser asks the server for no /favicon.ico (which the sandbox,
# an API, does not have) and logs no failed request. A box on the header's blue.
_FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect width='16' height='16' rx='3' fill='%231f3a5f'/%3E"
    "%3Cpath d='M4 6l4-2 4 2v5l-4 2-4-2z' fill='none' stroke='%23fff' stroke-width='1.3'/%3E%3C/svg%3E"
)


def _action(order_id: int, status: int, label: str, token: str | None, primary: bool = False) -> str:
    hidden = f'<input type="hidden" name="token" value="{escape(token)}">' if token else ""
    css = ' class="primary"' if primary else ""
    return (
        f'<form method="post" action="/_sandbox/ui/orders/{order_id}/status">{hidden}'
        f'<input type="hidden" name="status" value="{status}"><button{css}>{escape(label)}</button></form>'
    )


def render_page(state: SandboxState, *, token: str | None = None) -> str:
    """The whole page as a string (no external resources, works offline)."""
    suffix = f"?token={quote(token)}" if token else ""
    hidden = f'<input type="hidden" name="token" value="{escape(token)}">' if token else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f'<link rel="icon" href="{_FAVICON}">',
        f"<title>Ongoing WMS sandbox — {escape(state.warehouse)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>Ongoing WMS sandbox · warehouse <code>{escape(state.warehouse)}</code></h1>",
        f"<p>API base: /{escape(state.warehouse)}/api/v1/ · {state.counters.get('requests', 0)} API requests "
        f"({state.counters.get('writes', 0)} writes) · "
        f"<a style='color:#fff' href='/_sandbox/{suffix}'>refresh</a>"
        "</p></header><main>",
    ]
    if not state.goods_owners:
        parts.append(
            "<section><p class='muted'>No goods owners yet. Create one with "
            "<code>POST /_sandbox/goodsOwners</code> or the management command.</p></section>"
        )
    for owner in list(state.goods_owners.values()):
        users = [u.username for u in state.users.values() if owner.id in u.goods_owner_ids]
        parts.append(
            f"<section><h2>{escape(owner.name)} <span class='muted'>· goodsOwnerId {owner.id} · API users: "
            f"{escape(', '.join(users) or '—')} · {len(owner.article_ids)} articles · "
            f"{len(owner.order_ids)} orders</span></h2>"
        )
        parts.append(
            "<table><tr><th>Order</th><th>Status</th><th>Lines</th><th>Consignee</th>"
            "<th>Waybill / tracking</th><th>Files (labels)</th><th>Warehouse actions</th></tr>"
        )
        for order_id in reversed(list(owner.order_ids)[-200:]):
            order = state.orders_by_id[order_id]
            status = order.status
            lines = "".join(
                f"<li>{escape(str(line['articleNumber']))} × {line['numberOfItems']:g}</li>"
                for line in order.lines
            )
            consignee = order.data.get("consignee") or {}
            tracking = "".join(
                f"<li><a href='{escape(t['trackingUrl'])}'>{escape(t['waybill'])}</a></li>"
                if t.get("trackingUrl")
                else f"<li>{escape(t['waybill'])}</li>"
                for t in order.tracking
            )
            waybill = f"<div>wayBill: <code>{escape(order.way_bill)}</code></div>" if order.way_bill else ""
            printed = {job["fileId"] for job in order.print_jobs}
            files = "".join(
                f"<li><a href='/_sandbox/orders/{order.order_id}/files/{f['fileId']}{suffix}'>"
                f"{escape(f['fileName'])}</a> <span class='muted'>{f.get('size', 0)} B"
                f"{' · printed' if f['fileId'] in printed else ''}</span></li>"
                for f in order.files
            )
            actions = []
            if status != STATUS_CANCELLED:
                if status < 400:
                    actions.append(_action(order_id, 300, "Release", token) if status < 300 else "")
                    actions.append(_action(order_id, 400, "Pick", token, primary=True))
                if status < 450:
                    actions.append(_action(order_id, 450, "Pack & send", token, primary=status >= 400))
                    actions.append(
                        f'<form method="post" action="/_sandbox/ui/orders/{order_id}/status">{hidden}'
                        '<input type="hidden" name="status" value="450">'
                        '<input name="waybill" placeholder="warehouse waybill"><button>Send with waybill'
                        "</button></form>"
                    )
                if status < 500:
                    actions.append(_action(order_id, 500, "Collected/Delivered", token))
            parts.append(
                f"<tr><td><b>{escape(order.order_number)}</b>"
                f"<div class='muted'>id {order.order_id}</div></td>"
                f"<td class='s s{status}'>{status} {escape(state.status_text(status, 'en'))}</td>"
                f"<td><ul>{lines}</ul></td>"
                f"<td>{escape(str(consignee.get('name') or ''))}<div class='muted'>"
                f"{escape(str(consignee.get('city') or ''))} "
                f"{escape(str(consignee.get('countryCode') or ''))}"
                f"</div></td><td>{waybill}<ul>{tracking}</ul></td><td><ul>{files}</ul></td>"
                f"<td>{''.join(actions)}</td></tr>"
            )
        parts.append("</table>")
        if owner.article_ids:
            parts.append(
                "<details><summary>Stock</summary><table class='stock'><tr><th>Article</th><th>Name</th>"
                "<th>Physical</th><th>Sellable</th><th>Booked</th><th>Set physical stock</th></tr>"
            )
            for system_id in list(owner.article_ids)[:500]:
                article = state.articles_by_id[system_id]
                inventory = state.render_inventory(article)
                parts.append(
                    f"<tr><td>{escape(article.article_number)}</td>"
                    f"<td>{escape(str(article.data.get('articleName') or ''))}</td>"
                    f"<td>{inventory['numberOfItems']:g}</td><td>{inventory['sellableNumberOfItems']:g}</td>"
                    f"<td>{inventory['numberOfBookedItems']:g}</td><td>"
                    f'<form method="post" action="/_sandbox/ui/stock">{hidden}'
                    f'<input type="hidden" name="goodsOwnerId" value="{owner.id}">'
                    f'<input type="hidden" name="articleNumber" value="{escape(article.article_number)}">'
                    f'<input name="numberOfItems" size="6" style="width:60px"><button>Set</button></form>'
                    "</td></tr>"
                )
            parts.append("</table></details>")
        parts.append("</section>")
    log = list(state.webhook_log)[-20:]
    if log:
        parts.append(
            "<section><h2>Webhook deliveries (last 20)</h2><table><tr><th>event</th><th>url</th>"
            "<th>attempt</th><th>result</th></tr>"
        )
        for entry in reversed(log):
            result = entry["status"] if entry["status"] is not None else entry["error"]
            parts.append(
                f"<tr><td>{entry['eventId']}</td><td><code>{escape(entry['url'])}</code></td>"
                f"<td>{entry['attempt']}</td><td>{escape(str(result))}</td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</main></body></html>")
    return "".join(parts)
