"""The console's two languages: Chinese by default, English by a cookie the top bar's switch sets.

Each page module keeps its own words, ``TEXT = {"key": ("中文", "English")}``, and hands them to
``render`` (``texts=TEXT``) or to ``words``; no shared file grows with every page.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

LANGS = ("zh", "en")
COOKIE = "console_lang"
Table = Mapping[str, tuple[str, str]]

BASE: dict[str, tuple[str, str]] = {
    "console": ("管理控制台", "Console"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "user_name": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "switch_lang": ("English", "中文"),
    "role_director": ("大厅主任", "Director"),
    "role_guide": ("导服人员", "Guide"),
    "role_it": ("信息技术", "IT"),
    "role_admin": ("管理员", "Administrator"),
    "forbidden": ("无权访问", "Not allowed"),
    "back": ("返回", "Back"),
    "role_refused": ("您的角色无权打开此页面；如需使用，请联系管理员。",
                     "Your role may not open this page; ask the administrator if you need it."),
    "not_found_title": ("找不到页面", "Not found"),
    "not_found": ("没有这个页面，请从顶部菜单进入。", "There is no such page; use the menu at the top."),
    "csrf_failed": ("表单已过期或来源不明，请重新打开页面后再试。",
                    "This form is out of date or did not come from the console; open the page again and retry."),
    "signed_out": ("您已退出。", "You have signed out."),
    "session_ended": ("会话已过期，请重新登录。", "Your session has ended; sign in again."),
}


class Words(dict):
    """Texts of one language; a missing key shows as itself rather than as an empty space."""

    def __missing__(self, key: str) -> str:
        return key


def lang_of(request: Request) -> str:
    """The request's language: the cookie's when it names one, else Chinese."""
    lang = request.cookies.get(COOKIE, "zh")
    return lang if lang in LANGS else "zh"


def words(request: Request, *tables: Table) -> Words:
    """The base words and ``tables`` (later ones win) in the request's language."""
    index = LANGS.index(lang_of(request))
    merged = Words()
    for table in (BASE, *tables):
        merged.update({key: pair[index] for key, pair in table.items()})
    return merged


def pick(request: Request, zh: str, en: str) -> str:
    """One of two texts (a hall name, a service name) in the request's language."""
    return en if lang_of(request) == "en" else zh
