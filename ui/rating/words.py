"""The evaluator's fixed words in Chinese and English (no Qt here).

The pad faces citizens, who switch its language with one button; like the LED boards it takes
its words from a table rather than Qt's translators, so a pad in English beside a kiosk in
Chinese is no trouble. The five level names are the national ones (``kiosk.rating_models``).
"""

from __future__ import annotations

from kiosk.rating_models import LEVELS

LANGS = ("zh", "en")

WORDS = {
    "zh": {
        "idle.title": "欢迎评价我们的服务", "idle.hint": "办理完成后，请在这里为本次服务评价",
        "clerk": "为您服务：{name}（工号 {code}）", "levels.title": "请您为本次服务评价", "reasons.title": "哪里让您不满意？（可多选）",
        "comment": "写意见", "comment.title": "请写下您的意见（可不填）", "submit": "提交评价", "done": "完成",
        "delete": "删除", "space": "空格", "thanks": "感谢您的评价！", "thanks.bad": "我们会认真整改，并在规定时间内回访。",
        "already": "本次服务已经评价过，谢谢！", "failed": "评价没有提交成功：{detail}", "switch": "English",
        "linking": "正在连接服务器…",
    },
    "en": {
        "idle.title": "Please rate our service", "idle.hint": "When your matter is done, rate it here",
        "clerk": "Serving you: {name} (Staff No. {code})", "levels.title": "How was this service?", "reasons.title": "What went wrong? (any)",
        "comment": "Comment", "comment.title": "Your comment (optional)", "submit": "Send rating", "done": "Done",
        "delete": "Delete", "space": "Space", "thanks": "Thank you for your rating!",
        "thanks.bad": "We will look into it and get back to you.",
        "already": "This service was already rated. Thank you!", "failed": "The rating was not sent: {detail}",
        "switch": "中文", "linking": "Connecting to the server…",
    },
}


def word(key: str, lang: str, **values: str) -> str:
    """The pad's word ``key`` in ``lang`` (Chinese for anything but ``en``), filled with ``values``."""
    text = WORDS["en" if lang == "en" else "zh"][key]
    return text.format(**values) if values else text


def level_name(level: int, lang: str) -> str:
    """The national name of ``level`` (5 非常满意 … 1 非常不满意) in ``lang``."""
    return LEVELS[level]["en" if lang == "en" else "zh"]
