"""The message catalogues are complete and current.

Babel's extraction runs here in-process with the mapping in ``babel.cfg`` and
the keywords ``make translations`` gives it, so a message added to the code
without ``make translations`` fails CI; es and pt_BR translate every message
with the msgid's placeholders; each compiled ``.mo`` says what its ``.po`` says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "governance" / "translations"
LANGUAGES = ("es", "pt_BR", "en")
TRANSLATED_LANGUAGES = ("es", "pt_BR")  # en is the source language
# `make translations` adds these to Babel's defaults (_, gettext, ngettext, ...).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w+)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])"
)

Key = tuple[str | tuple[str, ...], str | None]


def forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """A message's id or string as a tuple of its plural forms (one if it has none)."""
    return (value,) if isinstance(value, str) else tuple(value)


def key(message: Message) -> Key:
    # read_mo gives a plural message's id as a list, read_po as a tuple.
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return (msgid, message.context)


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def messages(catalogue: Catalog) -> list[Message]:
    """The catalogue's messages without its header (whose msgid is empty)."""
    return [message for message in catalogue if message.id]


@pytest.fixture(scope="module")
def extracted() -> set[Key]:
    with (ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    catalogue = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    found = {key(message) for message in messages(catalogue)}
    assert found, "the extraction found no message at all"
    return found


@pytest.mark.parametrize(
    "catalogue",
    [
        "messages.pot",
        *(str(po_path(language).relative_to(TRANSLATIONS)) for language in LANGUAGES),
    ],
)
def test_catalogue_holds_exactly_the_messages_in_the_code(catalogue, extracted):
    held = {key(message) for message in messages(read_catalogue(TRANSLATIONS / catalogue))}
    missing = sorted(map(repr, extracted - held))
    stale = sorted(map(repr, held - extracted))
    assert (missing, stale) == ([], []), (
        f"{catalogue} is out of date (run `make translations`): "
        f"missing {missing}, no longer in the code {stale}"
    )


def placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The named placeholders as a set, the positional ones in order; ``%%`` is text."""
    found = [match for match in PLACEHOLDER.finditer(text) if match["type"] != "%"]
    named = frozenset(match[0] for match in found if match["name"])
    positional = tuple(match[0] for match in found if not match["name"])
    return named, positional


def translation_problems(message: Message) -> list[str]:
    strings = forms(message.string)
    if message.fuzzy:
        return ["fuzzy"]
    if not all(strings):
        return ["not translated"]
    if "python-format" not in message.flags:
        return []
    ids = forms(message.id)
    problems = []
    for index, string in enumerate(strings):
        # msgstr[0] renders the singular msgid, every other form the plural one.
        source = ids[0] if index == 0 else ids[-1]
        if placeholders(string) != placeholders(source):
            problems.append(f"placeholders of form {index} differ: {string!r}")
    return problems


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language):
    catalogue = read_catalogue(po_path(language))
    problems = [
        f"{message.id!r}: {problem}"
        for message in messages(catalogue)
        for problem in translation_problems(message)
    ]
    problems += [
        f"{message.id!r}: {error}" for message, errors in catalogue.check() for error in errors
    ]
    assert problems == []


def translations(catalogue: Catalog) -> dict[Key, tuple[str, ...]]:
    """What the catalogue changes in the output, message by message.

    gettext answers the msgid for a message the catalogue lacks, and a compiled
    catalogue holds no fuzzy message and the msgid in place of an empty plural
    form; a message that comes out as its msgid is therefore left out.
    """
    changed = {}
    for message in messages(catalogue):
        if message.fuzzy:
            continue
        ids = forms(message.id)
        fallback = [ids[min(index, len(ids) - 1)] for index in range(len(forms(message.string)))]
        strings = tuple(
            string or msgid for string, msgid in zip(forms(message.string), fallback, strict=True)
        )
        if list(strings) != fallback:
            changed[key(message)] = strings
    return changed


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    po = po_path(language)
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo.relative_to(ROOT)} is missing (run `make translations`)"
    with mo.open("rb") as file:
        compiled = read_mo(file)
    assert translations(compiled) == translations(read_catalogue(po)), (
        f"{mo.relative_to(ROOT)} is older than its .po (run `make translations`)"
    )
