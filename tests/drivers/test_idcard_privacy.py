"""Masking, keyed hash and ID-number arithmetic (``drivers.idcard.masking`` and ``idnumber``),
shared by the driver and, through ``kiosk.privacy``, the engine."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard import idnumber, masking
from drivers.idcard.idnumber import age_on, birth_date_from_id, id_checksum_ok
from drivers.idcard.masking import id_hash, mask_address, mask_id, mask_name

# Examples printed in GB 11643-1999 itself.
STANDARD_EXAMPLES = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("number", STANDARD_EXAMPLES)
def test_standard_examples_pass_the_checksum(number: str) -> None:
    assert id_checksum_ok(number)
    assert id_checksum_ok(number.lower())


@pytest.mark.parametrize("number", [
    "110105194912310021", "11010519491231002", "1101051949123100X2", "", "ABCDEFGHIJKLMNOPQR",
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits are not ID digits
])
def test_wrong_or_malformed_numbers_fail_the_checksum(number: str) -> None:
    assert not id_checksum_ok(number)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_is_right(first17: str) -> None:
    passing = [c for c in "0123456789X" if id_checksum_ok(first17 + c)]
    assert len(passing) == 1


def test_mask_id_keeps_two_and_two() -> None:
    assert mask_id("310101199001010014") == "31**************14"
    assert mask_id("USA310085061501") == "US***********01"
    assert mask_id("12345678") == "1******8"
    assert mask_id("") == ""


@pytest.mark.parametrize(("name", "masked"), [
    ("张晓明", "张*明"), ("张明", "张*"), ("欧阳娜娜", "欧**娜"), ("李", "*"),
    ("John Smith", "J*** S****"), ("MUELLER, KARL", "M******, K***"), ("", ""),
])
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_address_keeps_province_and_city_only() -> None:
    masked = mask_address("上海市黄浦区中山东一路100号")
    assert masked.startswith("上海市黄浦区") and "中山" not in masked


def test_id_hash_is_hmac_sha256_of_the_normalised_number() -> None:
    key = b"secret"
    expected = hmac.new(key, b"11010519491231002X", hashlib.sha256).hexdigest()
    assert id_hash("11010519491231002x", key) == expected
    assert id_hash(" 110105 19491231002X ", key) == expected
    assert id_hash("11010519491231002X", b"other") != expected
    with pytest.raises(ValueError):
        id_hash("11010519491231002X", b"")


def test_birth_date_from_id() -> None:
    assert birth_date_from_id("11010519491231002X") == date(1949, 12, 31)
    assert birth_date_from_id("110105491231002") == date(1949, 12, 31)  # old 15-digit number
    assert birth_date_from_id("110105194913310021") is None
    assert birth_date_from_id("not a number") is None


@pytest.mark.parametrize(("birth", "today", "age"), [
    (date(1950, 3, 7), date(2024, 3, 6), 73),
    (date(1950, 3, 7), date(2024, 3, 7), 74),
    (date(2000, 2, 29), date(2001, 2, 28), 0),
    (date(2000, 2, 29), date(2001, 3, 1), 1),
])
def test_age_on(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


def test_the_core_uses_the_drivers_helpers_not_copies() -> None:
    from kiosk import privacy

    for name in privacy.__all__:
        assert getattr(privacy, name) in (getattr(idnumber, name, None), getattr(masking, name, None))
