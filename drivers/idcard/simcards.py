"""Building card text blocks for the simulator and tests: ``build_card_text`` and sample people.

The people here are invented; their ID numbers are made consistent (birth date, sex digit and
MOD 11-2 check character) so the driver's own checks pass unless a test asks otherwise.
"""

from __future__ import annotations

from datetime import date

from drivers.idcard.card import LAYOUTS, TEXT_LEN, TYPE_MARK_OFFSET
from drivers.idcard.idnumber import check_character

CARD_MARKS = {"resident": "", "hmt_permit": "J", "foreign_permanent": "I",
              "foreign_permanent_2023": "Y"}
SIM_KINDS = {"resident": "resident", "permit": "hmt_permit", "foreign": "foreign_permanent",
             "foreign2023": "foreign_permanent_2023"}
ELDERLY_BIRTH = date(1950, 3, 7)


def build_card_text(card_type: str = "resident", **fields: object) -> bytes:
    """A 256-byte UCS-2LE text block of ``card_type`` with the given fields, space padded.

    Field names are those of the layouts in ``drivers.idcard.card`` (``name``, ``sex`` code,
    ``nation`` code, ``birth``, ``address``, ``id_number``, ``authority``, ``valid_from``,
    ``valid_to``, ``pass_number``, ``issue_count``, ``name_en``, ``nationality``, ``version``);
    dates may be ``date`` objects. On the 2023 foreign card a long ``name_en`` continues in its
    second field. Raises ValueError for an unknown field or a value too long for its field.
    """
    if card_type not in LAYOUTS:
        raise ValueError(f"unknown card type {card_type!r}")
    layout = LAYOUTS[card_type]
    values = {key: _text(value) for key, value in fields.items()}
    if card_type == "foreign_permanent_2023" and "name_en" in values:
        first_len = layout["name_en"][1] // 2
        name_en = values.pop("name_en")
        values["name_en"], values["name_en_more"] = name_en[:first_len], name_en[first_len:]
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    for key, value in values.items():
        if key not in layout:
            raise ValueError(f"{card_type} cards have no field {key!r}")
        offset, length = layout[key]
        encoded = value.encode("utf-16-le")
        if len(encoded) > length:
            raise ValueError(f"{key} is {len(encoded)} bytes, its field holds {length}")
        block[offset : offset + len(encoded)] = encoded
    mark = CARD_MARKS[card_type]
    if mark:
        block[TYPE_MARK_OFFSET : TYPE_MARK_OFFSET + 2] = mark.encode("utf-16-le")
    return bytes(block)


def make_id_number(region: str, birth: date, sequence: int, sex_code: str = "1") -> str:
    """An 18-character ID number: region (6 digits), YYYYMMDD, 3-digit sequence, check character.

    The sequence's last digit is forced odd for men (sex code 1) and even for women.
    """
    seq = sequence % 1000
    if (seq % 2 == 1) != (sex_code == "1"):
        seq = (seq + 1) % 1000
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def sample_card_text(kind: str = "resident", *, born: date | None = None, name: str | None = None,
                     sex: str | None = None, valid_to: date | str | None = None) -> bytes:
    """The text block of an invented card holder of a simulator ``kind``.

    ``kind`` is a simulator name (``resident``, ``permit``, ``foreign``, ``foreign2023``) or a
    card type. ``born`` changes the birth date and the ID number with it (an elderly citizen:
    ``born=date(1950, 3, 7)``).
    """
    card_type = SIM_KINDS.get(kind, kind)
    builders = {"resident": _resident, "hmt_permit": _permit, "foreign_permanent": _foreign,
                "foreign_permanent_2023": _foreign_2023}
    if card_type not in builders:
        raise ValueError(f"unknown card kind {kind!r}")
    fields = builders[card_type](born, sex)
    if name is not None:
        fields["name"] = name
    if valid_to is not None:
        fields["valid_to"] = valid_to
    return build_card_text(card_type, **fields)


def _resident(born: date | None, sex: str | None) -> dict[str, object]:
    birth, sex = born or date(1985, 6, 15), sex or "1"
    return {"name": "张伟明", "sex": sex, "nation": "01", "birth": birth,
            "address": "上海市黄浦区中山东一路100号", "id_number": make_id_number("310101", birth, 1, sex),
            "authority": "上海市公安局黄浦分局", "valid_from": date(2015, 3, 1),
            "valid_to": date(2035, 3, 1) if birth.year > 1970 else "长期"}


def _permit(born: date | None, sex: str | None) -> dict[str, object]:
    birth, sex = born or date(1990, 2, 20), sex or "1"
    return {"name": "陈家豪", "sex": sex, "birth": birth, "address": "香港特别行政区九龙弥敦道88号",
            "id_number": make_id_number("810000", birth, 3, sex), "authority": "深圳市公安局",
            "valid_from": date(2023, 5, 1), "valid_to": date(2028, 5, 1),
            "pass_number": "H12345678", "issue_count": "01"}


def _foreign(born: date | None, sex: str | None) -> dict[str, object]:
    birth, sex = born or date(1985, 6, 15), sex or "1"
    return {"name_en": "SMITH, JOHN", "sex": sex, "id_number": f"USA3100{birth:%y%m%d}01",
            "nationality": "USA", "name": "史约翰", "valid_from": date(2020, 1, 1),
            "valid_to": date(2030, 1, 1), "birth": birth, "version": "01", "authority": "1500"}


def _foreign_2023(born: date | None, sex: str | None) -> dict[str, object]:
    birth, sex = born or date(1992, 11, 3), sex or "2"
    return {"name": "李安娜", "sex": sex, "issue_count": "00", "birth": birth,
            "name_en": "LEE, ANNA MARIA CATHERINE ELIZABETH", "nationality": "CAN",
            "id_number": make_id_number("931124", birth, 2, sex),
            "valid_from": date(2023, 12, 1), "valid_to": date(2033, 12, 1)}


def _text(value: object) -> str:
    """A field value as card text: dates as YYYYMMDD."""
    if isinstance(value, date):
        return f"{value:%Y%m%d}"
    return str(value)
