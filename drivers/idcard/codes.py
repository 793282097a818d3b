"""Code tables printed on Chinese identity cards: sex (GB/T 2261.1) and nation (GB 3304)."""

from __future__ import annotations

SEX_NAMES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

# GB 3304-1991, the 56 nations in their code order, then the two extra codes used on cards.
_NATIONS_IN_ORDER = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()

NATION_NAMES: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_NATIONS_IN_ORDER, 1)}
NATION_NAMES["97"] = "其他"
NATION_NAMES["98"] = "外国血统中国籍人士"

if len(_NATIONS_IN_ORDER) != 56:  # pragma: no cover - guards the table against editing slips
    raise RuntimeError("the GB 3304 nation table must list 56 nations")


def sex_name(code: str) -> str | None:
    """The sex printed for a card's sex code, or None for a code outside the table."""
    return SEX_NAMES.get(code)


def nation_name(code: str) -> str | None:
    """The nation name for a two-digit GB 3304 code, or None for a code outside the table."""
    return NATION_NAMES.get(code)
