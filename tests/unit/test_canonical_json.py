"""The fast canonical JSON (events/audit/canonical.py) writes exactly RFC 8785's bytes: leaf
hashes, and so every audit proof, are unchanged."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from events.audit.canonical import canonical_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(alphabet=st.characters(max_codepoint=0x7F))  # control characters included
)
keys = st.text(max_size=8) | st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=8)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=500)
@given(values)
def test_canonical_json_is_byte_for_byte_rfc_8785(value):
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return  # a value JCS refuses (a too-large integer) is refused by both
    assert canonical_json(value) == expected


envelopes = st.fixed_dictionaries(
    {
        "position": st.integers(min_value=1, max_value=2**53 - 1),
        "id": st.uuids().map(str),
        "occurred_at": st.datetimes().map(lambda d: d.isoformat() + "Z"),
        "actor": st.dictionaries(keys, st.text() | st.none(), max_size=3),
        "data": st.dictionaries(
            keys | st.sampled_from(["é", "\ue000", "𝄞", "\U0001f600x"]), values, max_size=6
        ),
    }
)


@settings(max_examples=300)
@given(envelopes)
def test_an_envelope_shaped_value_with_any_keys_and_strings_is_rfc_8785(value):
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return
    assert canonical_json(value) == expected


def test_an_envelope_like_value_takes_the_fast_path_and_matches():
    envelope = {
        "position": 7,
        "data": {"title": '光谷 GUANGGU\n"class 9"\u0007', "amount": "5000000.00", "n": [1, None]},
        "actor": {"role": "bank", "ok": True},
        "id": "𝄞 outside the BMP",
    }
    assert canonical_json(envelope) == rfc8785.dumps(envelope)
