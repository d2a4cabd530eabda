"""Text cells of CSV files that people open in spreadsheets: no formula runs, and the text comes back.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and some strip a
leading tab or carriage return first), so a product named ``=HYPERLINK(...)`` in an export would run on
the reader's machine (CSV injection). Exports write such a text cell with a leading single quote, as
OWASP advises, which spreadsheets show as text; imports remove that quote again, so an export imported
back gives the same values. A text that itself starts with a quote followed by one of those characters
(or by another quote) gets the quote too, so every text survives the round trip unchanged.

Only text cells are escaped: numbers (prices, stock, a tax rate of -1) are written as plain numbers.
"""

from __future__ import annotations

FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"
_AFTER_QUOTE = FORMULA_STARTS | {QUOTE}


def text_cell_write(value: str) -> str:
    """``value`` as a CSV text cell: quoted if a spreadsheet would run it (or would lose a quote)."""
    first = value[:1]
    if first in FORMULA_STARTS or (first == QUOTE and value[1:2] in _AFTER_QUOTE):
        return QUOTE + value
    return value


def text_cell_read(cell: str) -> str:
    """The text of a CSV text cell written by :func:`text_cell_write` (other cells come back as they are)."""
    if cell[:1] == QUOTE and cell[1:2] in _AFTER_QUOTE:
        return cell[1:]
    return cell
