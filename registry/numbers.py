"""Registration-number and unified-social-credit-code validators (contract §3).

Pure functions: each validator returns the canonical spelling or raises ``InvalidValue``.
"""

from __future__ import annotations

import re
import unicodedata

from registry.errors import InvalidValue

PATENT_KINDS = ("invention_patent", "utility_model", "design_patent")
ALL_KINDS = (
    *PATENT_KINDS,
    "trademark",
    "copyright",
    "geographical_indication",
    "ic_layout_design",
)

_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)
# The kind digit: 5th digit of a 12-digit application number, 3rd of a pre-2003 8-digit one.
_KIND_DIGITS = {"invention_patent": "18", "utility_model": "29", "design_patent": "3"}
_KIND_DIGIT_POS = {12: 4, 8: 2}
# Optional "ZL", the digits, an optional dot, then the check character.
_PATENT_RE = re.compile(r"(?:ZL)?([0-9]{12}|[0-9]{8})\.?([0-9X])")
_TRADEMARK_RE = re.compile(r"[0-9]{1,9}")
_FREE_FORM_MAX = 64

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}


def patent_check_char(digits: str) -> str:
    """CNIPA check character: weights 2..9 cycling, sum mod 11, 10 -> "X"."""
    if not digits or not all(ch in "0123456789" for ch in digits):
        raise InvalidValue(f"patent number body must be ASCII digits, got {digits!r}")
    total = sum(int(d) * _PATENT_WEIGHTS[i % 8] for i, d in enumerate(digits))
    value = total % 11
    return "X" if value == 10 else str(value)


def canonical_number(kind: str, raw: str) -> str:
    """Validate ``raw`` as a registration number of ``kind``; return its canonical form."""
    if kind not in ALL_KINDS:
        raise InvalidValue(
            f"unknown IP right kind {kind!r}; expected one of {', '.join(ALL_KINDS)}"
        )
    if not isinstance(raw, str):
        raise InvalidValue(f"registration number must be a string, got {type(raw).__name__}")
    text = raw.strip()
    if kind in PATENT_KINDS:
        return _canonical_patent(kind, text)
    if kind == "trademark":
        if not _TRADEMARK_RE.fullmatch(text):
            raise InvalidValue(f"trademark number must be 1 to 9 digits, got {raw!r}")
        return text
    return _canonical_free_form(kind, text)


def _canonical_patent(kind: str, text: str) -> str:
    match = _PATENT_RE.fullmatch(text.upper())
    if match is None:
        raise InvalidValue(
            f"{kind} number must be 12 digits (or 8 before 2003) plus a check character, "
            f"optionally prefixed by ZL, e.g. ZL202310123456.6; got {text!r}"
        )
    body, check = match.groups()
    kind_digit = body[_KIND_DIGIT_POS[len(body)]]
    if kind_digit not in _KIND_DIGITS[kind]:
        raise InvalidValue(
            f"number {body} has kind digit {kind_digit}, which does not denote a {kind} "
            f"(expected {' or '.join(_KIND_DIGITS[kind])})"
        )
    expected = patent_check_char(body)
    if check != expected:
        raise InvalidValue(
            f"check character of patent number {body} should be {expected!r}, got {check!r}"
        )
    return f"{body}.{check}"


def _canonical_free_form(kind: str, text: str) -> str:
    if not 1 <= len(text) <= _FREE_FORM_MAX:
        raise InvalidValue(f"{kind} number must be 1 to {_FREE_FORM_MAX} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidValue(f"{kind} number must not contain control characters")
    if "/" in text:
        # Numbers appear as URL path segments.
        raise InvalidValue(f"{kind} number must not contain '/'")
    return text


def _credit_values(chars: str, what: str) -> list[int]:
    bad = [ch for ch in chars if ch not in _CREDIT_VALUE]
    if bad:
        raise InvalidValue(
            f"{what} contains {bad[0]!r}, which is not in the credit-code alphabet "
            f"{CREDIT_CODE_ALPHABET} (I, O, Z, S and V are never used)"
        )
    return [_CREDIT_VALUE[ch] for ch in chars]


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a credit code."""
    text = first17.strip().upper()
    if len(text) != 17:
        raise InvalidValue(f"credit code body must be 17 characters, got {len(text)}")
    values = _credit_values(text, "credit code")
    total = sum(v * w for v, w in zip(values, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return the canonical (trimmed, uppercased) credit code or raise ``InvalidValue``."""
    if not isinstance(code, str):
        raise InvalidValue(f"credit code must be a string, got {type(code).__name__}")
    text = code.strip().upper()
    if len(text) != 18:
        raise InvalidValue(f"unified social credit code must be 18 characters, got {len(text)}")
    _credit_values(text, "credit code")
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        raise InvalidValue(
            f"check character of credit code {text[:17]} should be {expected!r}, got {text[17]!r}"
        )
    return text


def make_credit_code(first17: str) -> str:
    """Append the correct check character (demo data and tests)."""
    text = first17.strip().upper()
    return text + credit_code_check_char(text)


def canonical_patent_number_or_raw(raw: str) -> str:
    """For searches that name no kind: a valid patent number in any spelling becomes canonical;
    anything else is matched as given."""
    for kind in PATENT_KINDS:
        try:
            return canonical_number(kind, raw)
        except InvalidValue:
            continue
    return raw.strip()
