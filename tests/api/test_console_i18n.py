"""Every phrase the console's pages and code ask to translate has its Chinese."""

from __future__ import annotations

import re
from pathlib import Path

from api.console.i18n import ZH, translator

CONSOLE = Path(__file__).resolve().parents[2] / "api" / "console"
# t("...") or t('...') with a literal phrase (not a variable, not a path).
PHRASE = re.compile(r"""\bt\((?:"((?:[^"\\]|\\.)+)"|'((?:[^'\\]|\\.)+)')\)""")


def phrases() -> set[str]:
    found: set[str] = set()
    for path in [*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("*.py")]:
        for double, single in PHRASE.findall(path.read_text(encoding="utf-8")):
            found.add((double or single).replace("\\'", "'"))
    return found


def test_every_phrase_of_the_console_has_a_chinese_translation():
    missing = sorted(p for p in phrases() if p not in ZH)
    assert missing == []


def test_english_is_the_phrase_itself_and_an_unknown_phrase_falls_back_to_it():
    assert translator("en")("Pledges") == "Pledges"
    assert translator("zh")("Pledges") == "质押登记"
    assert translator("zh")("no such phrase") == "no such phrase"
