import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.errors import InvalidValue
from registry.numbers import (
    ALL_KINDS,
    CREDIT_CODE_ALPHABET,
    PATENT_KINDS,
    canonical_number,
    credit_code_check_char,
    make_credit_code,
    patent_check_char,
    validate_credit_code,
)

# Fixed seed: the unit suite must give the same result on every run.
deterministic = settings(derandomize=True, deadline=None)

KIND_DIGITS = {"invention_patent": "18", "utility_model": "29", "design_patent": "3"}
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def patent_bodies(draw, length=12):
    """A (kind, body) pair whose kind digit matches the kind."""
    kind = draw(st.sampled_from(PATENT_KINDS))
    pos = 4 if length == 12 else 2
    chars = [draw(digits) for _ in range(length)]
    chars[pos] = draw(st.sampled_from(KIND_DIGITS[kind]))
    return kind, "".join(chars)


credit_bodies = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17)


# --- patents -------------------------------------------------------------------------


def test_patent_check_char_matches_worked_example():
    assert patent_check_char("202310123456") == "6"


def test_patent_check_char_value_ten_is_x():
    # 5 * 2 = 10
    assert patent_check_char("50000000") == "X"


@pytest.mark.parametrize(
    "raw",
    [
        "ZL202310123456.6",
        "zl202310123456.6",
        "202310123456.6",
        "2023101234566",
        "  ZL2023101234566 ",
    ],
)
def test_patent_number_spellings_canonicalise_to_digits_dot_check(raw):
    assert canonical_number("invention_patent", raw) == "202310123456.6"


def test_eight_digit_patent_number_is_accepted():
    check = patent_check_char("93100001")
    assert canonical_number("invention_patent", f"ZL93100001{check}") == f"93100001.{check}"


def test_lowercase_x_check_char_is_uppercased():
    body = "93100005"  # 9*2 + 3*3 + 1*4 + 5*9 = 76 = 10 mod 11
    assert patent_check_char(body) == "X"
    assert canonical_number("invention_patent", f"{body}.x") == f"{body}.X"


def test_patent_number_with_wrong_check_char_is_rejected_naming_expected():
    with pytest.raises(InvalidValue, match="should be '6'"):
        canonical_number("invention_patent", "202310123456.7")


def test_patent_number_of_wrong_kind_is_rejected():
    with pytest.raises(InvalidValue, match="utility_model"):
        canonical_number("utility_model", "202310123456.6")


@pytest.mark.parametrize(
    "raw", ["", "ZL", "20231012345.6", "2023101234567.8", "ZL202310123456.", "AB202310123456.6"]
)
def test_malformed_patent_number_is_rejected(raw):
    with pytest.raises(InvalidValue):
        canonical_number("invention_patent", raw)


def test_unknown_kind_is_rejected():
    with pytest.raises(InvalidValue, match="unknown"):
        canonical_number("plant_variety", "123")


@deterministic
@given(patent_bodies(), st.booleans(), st.booleans(), st.booleans())
def test_any_valid_patent_number_round_trips_in_every_spelling(kind_body, zl, dot, lower):
    kind, body = kind_body
    check = patent_check_char(body)
    raw = ("ZL" if zl else "") + body + ("." if dot else "") + check
    raw = raw.lower() if lower else raw
    assert canonical_number(kind, raw) == f"{body}.{check}"


@deterministic
@given(patent_bodies(8))
def test_any_valid_eight_digit_number_round_trips(kind_body):
    kind, body = kind_body
    check = patent_check_char(body)
    assert canonical_number(kind, f"ZL{body}{check}") == f"{body}.{check}"


@deterministic
@given(patent_bodies(), st.data())
def test_single_digit_substitution_in_patent_number_is_rejected(kind_body, data):
    kind, body = kind_body
    number = body + patent_check_char(body)
    pos = data.draw(st.integers(0, len(number) - 1))
    alphabet = "0123456789X" if pos == len(body) else "0123456789"
    new = data.draw(st.sampled_from([c for c in alphabet if c != number[pos]]))
    with pytest.raises(InvalidValue):
        canonical_number(kind, number[:pos] + new + number[pos + 1 :])


# --- other kinds ---------------------------------------------------------------------


def test_trademark_number_is_kept_as_given_including_leading_zeros():
    assert canonical_number("trademark", " 0012345 ") == "0012345"


@pytest.mark.parametrize("raw", ["", "1234567890", "12a4", "١٢٣"])
def test_malformed_trademark_number_is_rejected(raw):
    with pytest.raises(InvalidValue):
        canonical_number("trademark", raw)


@pytest.mark.parametrize("kind", ["copyright", "geographical_indication", "ic_layout_design"])
def test_free_form_number_is_trimmed(kind):
    assert canonical_number(kind, "  国作登字-2023-A-00012345 ") == "国作登字-2023-A-00012345"


@pytest.mark.parametrize("raw", ["", "   ", "x" * 65, "a/b", "ab\x00c", "a\tb"])
def test_malformed_free_form_number_is_rejected(raw):
    with pytest.raises(InvalidValue):
        canonical_number("copyright", raw)


def test_free_form_number_of_64_chars_is_accepted():
    assert canonical_number("ic_layout_design", "B" * 64) == "B" * 64


def test_all_kinds_starts_with_the_patent_kinds():
    assert ALL_KINDS[:3] == PATENT_KINDS


# --- credit codes --------------------------------------------------------------------


def test_real_credit_code_validates():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_credit_code_is_trimmed_and_uppercased():
    assert validate_credit_code(" 91350100m000100y43\n") == "91350100M000100Y43"


def test_credit_code_with_wrong_check_char_is_rejected_naming_expected():
    with pytest.raises(InvalidValue, match="should be '3'"):
        validate_credit_code("91350100M000100Y44")


@pytest.mark.parametrize(
    "code", ["", "91350100M000100Y4", "91350100M000100Y433", "9135010OM000100Y43"]
)
def test_malformed_credit_code_is_rejected(code):
    with pytest.raises(InvalidValue):
        validate_credit_code(code)


def test_credit_check_value_31_maps_to_zero():
    # Weighted sum 0 mod 31 gives check value 31, which wraps to "0".
    assert credit_code_check_char("0" * 17) == "0"


@deterministic
@given(credit_bodies)
def test_make_credit_code_output_always_validates(body):
    code = make_credit_code(body)
    assert validate_credit_code(code) == code


@deterministic
@given(credit_bodies, st.data())
def test_single_char_change_in_credit_code_is_rejected(body, data):
    code = make_credit_code(body)
    pos = data.draw(st.integers(0, 17))
    new = data.draw(st.sampled_from([c for c in CREDIT_CODE_ALPHABET + "IOZSV" if c != code[pos]]))
    with pytest.raises(InvalidValue):
        validate_credit_code(code[:pos] + new + code[pos + 1 :])
