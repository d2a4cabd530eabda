"""The translation catalogues: every entry translated, none fuzzy, no placeholder broken, Polish with
its three plural forms, and the compiled ``.mo`` files the app loads equal to their ``.po`` sources.

New strings reach the catalogue with ``make messages`` (README: "Translations"); they arrive
untranslated, and this test names them until someone translates them.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
# %(name)s / %(n).1f, %s / %d, {name} / {0} — and "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[\w.]*\}")
POLISH_PLURALS = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def _messages(path: Path):
    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    return catalog, [message for message in catalog if message.id]


def _id(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def test_there_is_a_polish_catalogue():
    assert LOCALE_DIR / "pl" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(LOCALE_DIR)))
def test_every_entry_is_translated_and_none_is_fuzzy(path):
    _catalog, messages = _messages(path)
    untranslated = [
        _id(m)
        for m in messages
        if not m.string or (isinstance(m.string, tuple) and not all(form.strip() for form in m.string))
    ]
    fuzzy = [_id(m) for m in messages if m.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated in {path.name}: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {path.name} (check, then drop the flag): {fuzzy[:20]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(LOCALE_DIR)))
def test_no_translation_breaks_a_placeholder(path):
    _catalog, messages = _messages(path)
    broken = []
    for m in messages:
        if isinstance(m.id, tuple):
            known = set(_placeholders(m.id[0])) | set(_placeholders(m.id[1]))
            plural = _placeholders(m.id[1])
            for index, form in enumerate(m.string):
                found = _placeholders(form)
                # The one-item form may leave the number out ("1 produkt" → "produkt"); others keep all.
                if not set(found) <= known or (index > 0 and sorted(set(found)) != sorted(set(plural))):
                    broken.append(f"{m.id[1]!r} [{index}] → {form!r}")
        elif _placeholders(m.id) != _placeholders(m.string):
            broken.append(f"{m.id!r} → {m.string!r}")
    assert not broken, "placeholders differ:\n  " + "\n  ".join(broken)


def test_polish_has_its_three_plural_forms_everywhere():
    path = LOCALE_DIR / "pl" / "LC_MESSAGES" / "django.po"
    catalog, messages = _messages(path)
    assert dict(catalog.mime_headers)["Plural-Forms"] == POLISH_PLURALS
    plurals = [m for m in messages if isinstance(m.id, tuple)]
    assert plurals, "the catalogue has no plural entries (ngettext / blocktranslate count)"
    assert all(len(m.string) == 3 for m in plurals), [m.id for m in plurals if len(m.string) != 3]
    translation = gettext.GNUTranslations(path.with_suffix(".mo").open("rb"))
    forms = [translation.ngettext("%(n)s product", "%(n)s products", n) % {"n": n} for n in (1, 3, 5, 22, 25)]
    assert forms == ["1 produkt", "3 produkty", "5 produktów", "22 produkty", "25 produktów"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(LOCALE_DIR)))
def test_the_compiled_catalogue_matches_its_source(path):
    """The app reads the ``.mo``: it must hold exactly the ``.po``'s translations (run ``make messages``)."""
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo.name} is missing: run `make messages`"
    compiled = gettext.GNUTranslations(mo.open("rb"))._catalog  # noqa: SLF001
    _catalog, messages = _messages(path)
    stale = []
    for m in messages:
        # A message with a context (pgettext) is compiled under "context\x04id".
        key = f"{m.context}\x04{_id(m)}" if m.context else _id(m)
        if isinstance(m.id, tuple):
            for index, form in enumerate(m.string):
                if compiled.get((key, index)) != form:
                    stale.append(_id(m))
                    break
        elif compiled.get(key) != m.string:
            stale.append(m.id)
    assert not stale, f"{mo.name} is older than {path.name}; run `make messages`. Differs: {stale[:10]}"
