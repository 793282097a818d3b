"""The card value: the four layouts, code tables, validation of fields, derived facts, masking."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard import LONG_TERM, CardDataError, IdCard, parse_text
from drivers.idcard.codes import NATION_NAMES
from drivers.idcard.simcards import build_card_text, make_id_number

TODAY = date(2024, 6, 1)
RESIDENT_ID = make_id_number("310101", date(1950, 3, 7), 1, "1")


def resident(**overrides: object) -> bytes:
    fields: dict[str, object] = {
        "name": "王建国", "sex": "1", "nation": "01", "birth": date(1950, 3, 7),
        "address": "北京市东城区景山前街4号", "id_number": RESIDENT_ID,
        "authority": "北京市公安局东城分局", "valid_from": date(2010, 1, 1), "valid_to": LONG_TERM,
    }
    fields.update(overrides)
    return build_card_text("resident", **fields)


def test_resident_card_fields() -> None:
    card = parse_text(resident(), TODAY)
    assert (card.card_type, card.name, card.sex, card.nation) == ("resident", "王建国", "男", "汉")
    assert (card.birth_date, card.valid_from, card.valid_to) == (date(1950, 3, 7),
                                                                 date(2010, 1, 1), LONG_TERM)
    assert card.address == "北京市东城区景山前街4号"
    assert card.id_number == RESIDENT_ID and card.authority == "北京市公安局东城分局"
    assert card.age == 74 and card.id_valid and not card.expired
    assert card.is_elderly(60) and not card.is_elderly(75)


def test_hmt_permit_fields() -> None:
    text = build_card_text(
        "hmt_permit", name="黄志明", sex="1", birth="19880808", address="台湾省台北市信义路1号",
        id_number=make_id_number("830000", date(1988, 8, 8), 5), authority="厦门市公安局",
        valid_from="20220101", valid_to="20270101", pass_number="T01234567", issue_count="02")
    card = parse_text(text, TODAY)
    assert card.card_type == "hmt_permit" and card.nation == ""
    assert (card.pass_number, card.issue_count) == ("T01234567", "02")
    assert card.id_number.startswith("83") and card.id_valid


def test_old_foreign_permanent_card_fields() -> None:
    text = build_card_text(
        "foreign_permanent", name_en="MUELLER, KARL", sex="1", id_number="DEU110080022901",
        nationality="DEU", name="穆勒", valid_from="20150301", valid_to="20250301",
        birth="19800229", version="01", authority="1100")
    card = parse_text(text, TODAY)
    assert card.card_type == "foreign_permanent"
    assert (card.name, card.name_en, card.nationality) == ("穆勒", "MUELLER, KARL", "DEU")
    assert card.birth_date == date(1980, 2, 29) and card.authority == "1100"
    assert card.id_valid  # 3 letters + 12 digits, YYMMDD matches the birth date
    assert card.age == 44 and not card.expired


def test_2023_foreign_permanent_card_joins_its_english_name() -> None:
    long_name = "GARCIA MARQUEZ, MARIA DE LOS ANGELES"  # longer than the first field
    text = build_card_text(
        "foreign_permanent_2023", name="玛丽亚", sex="2", issue_count="01", birth="19750101",
        name_en=long_name, id_number=make_id_number("911484", date(1975, 1, 1), 2, "2"),
        valid_from="20231201", valid_to="20331201", nationality="MEX")
    card = parse_text(text, TODAY)
    assert card.card_type == "foreign_permanent_2023"
    assert (card.name_en, card.nationality, card.sex) == (long_name, "MEX", "女")
    assert card.id_valid and card.issue_count == "01"


def test_nation_table_is_gb3304() -> None:
    assert len(NATION_NAMES) == 58
    assert [NATION_NAMES[c] for c in ("01", "05", "10", "44", "56", "97", "98")] == [
        "汉", "维吾尔", "朝鲜", "俄罗斯", "基诺", "其他", "外国血统中国籍人士"]
    assert parse_text(resident(nation="08"), TODAY).nation == "壮"


@pytest.mark.parametrize(("code", "sex"), [("0", "未知"), ("1", "男"), ("2", "女"), ("9", "未说明")])
def test_sex_codes(code: str, sex: str) -> None:
    assert parse_text(resident(sex=code), TODAY).sex == sex


@pytest.mark.parametrize(("overrides", "field"), [
    ({"sex": "5"}, "sex"),
    ({"nation": "77"}, "nation"),
    ({"nation": ""}, "nation"),
    ({"birth": "19501301"}, "birth_date"),
    ({"valid_from": "2010"}, "valid_from"),
    ({"valid_to": "永久"}, "valid_to"),
])
def test_nonsense_fields_raise_card_data_errors_naming_the_field(overrides: dict[str, object],
                                                                 field: str) -> None:
    with pytest.raises(CardDataError) as caught:
        parse_text(resident(**overrides), TODAY)
    assert caught.value.field == field


def test_wrong_block_size_and_unknown_mark_are_refused() -> None:
    with pytest.raises(CardDataError):
        parse_text(resident()[:200], TODAY)
    marked = bytearray(resident())
    marked[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(CardDataError, match="card type"):
        parse_text(bytes(marked), TODAY)


@given(st.binary(min_size=256, max_size=256))
def test_random_text_blocks_give_a_card_or_a_card_data_error(text: bytes) -> None:
    try:
        card = parse_text(text, TODAY)
    except CardDataError:
        return
    assert card.card_type in ("resident", "hmt_permit", "foreign_permanent",
                              "foreign_permanent_2023")


def test_expiry_and_age_follow_the_injected_day() -> None:
    card = parse_text(resident(valid_to="20240531", birth="19640602"), TODAY)
    assert card.expired and card.expired_on(TODAY)
    assert not card.expired_on(date(2024, 5, 31))
    assert card.age == 59 and card.age_on(date(2024, 6, 2)) == 60
    assert not card.is_elderly(60) and card.is_elderly(60, today=date(2024, 6, 2))


def test_a_wrong_check_character_is_flagged_not_refused() -> None:
    wrong = RESIDENT_ID[:17] + ("0" if RESIDENT_ID[17] != "0" else "1")
    card = parse_text(resident(id_number=wrong), TODAY)
    assert not card.id_valid


def test_repr_str_and_logs_never_show_full_identity(caplog: pytest.LogCaptureFixture) -> None:
    card = parse_text(resident(), TODAY)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info("read %s / %r / %s", card, card, [card])
    for shown in (repr(card), str(card), caplog.text, str(card.to_dict())):
        assert RESIDENT_ID not in shown and "王建国" not in shown and "景山前街" not in shown
    assert card.masked_id in repr(card) and card.masked_name == "王*国"


def test_to_dict_masks_unless_revealed() -> None:
    card = parse_text(resident(), TODAY)
    masked, revealed = card.to_dict(), card.to_dict(reveal=True)
    assert list(masked) == ["card_type", "name", "sex", "nation", "birth_date", "address",
                            "id_number", "authority", "valid_from", "valid_to", "age",
                            "id_valid", "expired"]
    assert masked["id_number"] == RESIDENT_ID[:2] + "*" * 14 + RESIDENT_ID[-2:]
    assert revealed["id_number"] == RESIDENT_ID and revealed["name"] == "王建国"
    assert masked["valid_to"] == "长期" and masked["birth_date"] == "1950-03-07"


def test_card_is_frozen() -> None:
    card = parse_text(resident(), TODAY)
    with pytest.raises(AttributeError):
        card.name = "x"  # type: ignore[misc]
    assert isinstance(card, IdCard)


def test_the_photo_is_not_kept() -> None:
    from dataclasses import fields

    card = parse_text(resident(), TODAY)
    assert not any(isinstance(getattr(card, f.name), bytes | bytearray) for f in fields(card))
    assert "photo" not in {f.name for f in fields(card)}
