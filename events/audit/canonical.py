"""RFC 8785 (JCS) canonical JSON, fast for the values the audit log hashes.

``rfc8785.dumps`` is pure Python and was the largest CPU cost of projecting an event (one
leaf hash each). For JSON made of ASCII-keyed objects, arrays, strings, booleans, null and
integers within ±(2^53 - 1), the standard library's ``json.dumps`` with sorted keys, no
whitespace and no ASCII escaping writes the very same bytes: JCS sorts keys by UTF-16 code
units (the same order as code points for ASCII), escapes exactly ``"``, ``\\`` and the
control characters (``\\b \\t \\n \\f \\r`` short, the others as lowercase ``\\u00xx``), and
writes such integers in plain decimal. Anything else (floats, large integers, non-ASCII
keys, lone surrogates) goes to ``rfc8785``. tests/unit/test_canonical_json.py checks the
two agree on generated values.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

SAFE_INTEGER = 2**53 - 1
# RFC 8785's bytes (once UTF-8 encoded) for values that pass ``_plain``; events/audit/leaf.py
# proves that for an envelope while building it.
encode_plain = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical_json(value: Any) -> bytes:
    if _plain(value):
        try:
            return encode_plain(value).encode()
        except UnicodeEncodeError:  # a lone surrogate: JCS has its own rule for it
            pass
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    pending = [value]  # a loop, not recursion: this runs once per event
    while pending:
        item = pending.pop()
        if isinstance(item, str) or item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if -SAFE_INTEGER <= item <= SAFE_INTEGER:
                continue
            return False
        if isinstance(item, dict):
            for key, inner in item.items():
                if not (isinstance(key, str) and key.isascii()):
                    return False
                pending.append(inner)
        elif isinstance(item, list):
            pending.extend(item)
        else:
            return False
    return True
