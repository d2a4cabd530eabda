"""What a contractor's Products settings do to the provider's values (Connect part 2).

Pure functions, used by the import, the continuous sync and the reconciliation alike, and mirrored by
``price_sql`` / ``quantity_sql`` for the set-based ``UPDATE … FROM`` paths, so every way a value
reaches a contractor computes it the same way.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

_HUNDRED = Decimal(100)


def price(amount: Decimal, multiplier: Decimal, minor_digits: int = 2) -> Decimal:
    """Provider price × multiplier, rounded half-up to the currency's minor unit; never negative."""
    exponent = Decimal(1).scaleb(-minor_digits)
    return max(Decimal(0), (Decimal(amount) * Decimal(multiplier)).quantize(exponent, rounding=ROUND_HALF_UP))


def quantity(stock: int, subtract: int, keep_percent: Decimal) -> int:
    """Provider stock with the percentage kept back (rounded down) and the fixed number taken off;
    never below 0."""
    kept = (Decimal(stock) * (_HUNDRED - Decimal(keep_percent)) / _HUNDRED).to_integral_value(
        rounding=ROUND_DOWN
    )
    return max(0, int(kept) - int(subtract))


def price_sql(amount: str, multiplier: str, minor_digits: int | str = 2) -> str:
    """SQL of :func:`price` over column expressions (ROUND on numeric is half away from zero, the same
    as half-up for the non-negative values here). ``minor_digits``: a number, or a column expression
    when the rows' currencies differ."""
    digits = minor_digits if isinstance(minor_digits, str) else str(int(minor_digits))
    return f"GREATEST(0, ROUND(({amount}) * ({multiplier}), {digits}))"


def minor_digits(currency: str) -> int:
    """Digits after the decimal point of ``currency``'s minor unit (PLN 2, JPY 0), at most the 2 a
    stored price keeps."""
    import moneyed

    try:
        sub_unit = moneyed.get_currency(currency).sub_unit
    except (moneyed.CurrencyDoesNotExist, ValueError, TypeError):
        return 2
    return min(2, max(0, len(str(int(sub_unit))) - 1)) if sub_unit else 0


def quantity_sql(stock: str, subtract: str, keep_percent: str) -> str:
    """SQL of :func:`quantity` over column expressions."""
    return f"GREATEST(0, FLOOR(({stock}) * (100 - ({keep_percent})) / 100)::integer - ({subtract}))"
