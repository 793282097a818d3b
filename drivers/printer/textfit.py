"""Text on a thermal printer: display widths, cleaning and line wrapping.

A printer in Chinese mode prints an ASCII byte in one column (12 dots, font A) and a GBK
double-byte character in two (24 dots). Characters outside GBK (CJK Extension A/B, Latin
letters with accents GBK lacks, emoji) are 4-byte GB18030 codes that GBK printers garble;
such lines are drawn as small raster strips instead (see ``text_mode``), where they take the
width their East Asian width gives them.
"""

from __future__ import annotations

import unicodedata

# No line may start with these (closing punctuation) or end with those (opening).
NO_START = set("，。、：；！？）】》」』〕…—,.;:!?)]}%")
NO_END = set("（【《「『〔([{")


def gbk_safe(ch: str) -> bool:
    """True when the printer's own font prints ``ch``: printable ASCII or 2-byte GBK."""
    if " " <= ch <= "~":
        return True
    try:
        encoded = ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    # GBK and GB18030 agree on the 2-byte area; single bytes >= 0x80 (cp936's euro) do not.
    return len(encoded) == 2 and encoded == ch.encode("gb18030")


def char_width(ch: str) -> int:
    """Columns ``ch`` takes in font A."""
    if " " <= ch <= "~":
        return 1
    if unicodedata.combining(ch):
        return 0
    if gbk_safe(ch):
        return 2
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    """Columns ``text`` takes in font A."""
    return sum(char_width(ch) for ch in text)


def clean(text: str) -> str:
    """Drop control characters, which would otherwise be printer commands, and NFC-normalise."""
    text = unicodedata.normalize("NFC", str(text))
    out = []
    for ch in text:
        if ch in "\t\r\n":
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out).strip()


def _tokens(text: str) -> list[str]:
    """Latin words (with their trailing space) stay whole; every other character is its own."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if " " < ch <= "~" or (ch.isalnum() and char_width(ch) == 1):
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """Wrap ``text`` into lines of at most ``columns`` display columns.

    Breaks between CJK characters or at spaces; keeps closing punctuation off a line's start
    and opening brackets off its end; splits a Latin word only when it alone is too long.
    Continuation lines start with ``indent`` spaces.
    """
    columns = max(columns, 2)
    indent = min(indent, columns // 2)
    lines: list[list[str]] = []
    line: list[str] = []
    width = 0
    for token in _tokens(clean(text)):
        token_width = text_width(token)
        if token == " " and not line:
            continue
        if width + token_width > columns and line:
            if token == " ":
                lines.append(line)
                line, width = [], indent
                continue
            carried = _carry(line, token)
            if carried and indent + text_width("".join(carried)) + token_width > columns:
                line.extend(carried)  # the punctuation rules yield to the paper width
                carried = []
            lines.append(line)
            line, width = carried, indent + text_width("".join(carried))
        while width + token_width > columns and len(token) > 1:
            head = _fit(token, columns - width)
            line.append(head)
            lines.append(line)
            line, width = [], indent
            token = token[len(head):]
            token_width = text_width(token)
        line.append(token)
        width += token_width
    lines.append(line)
    texts = ["".join(parts).rstrip() for parts in lines if parts] or [""]
    return texts[:1] + [" " * indent + t for t in texts[1:]]


def _carry(line: list[str], token: str) -> list[str]:
    """Start a new line; pull one token along so punctuation rules hold."""
    while line and line[-1] == " ":
        line.pop()
    carried: list[str] = []
    if len(line) > 1 and (token in NO_START or line[-1] in NO_END):
        carried.append(line.pop())
    while len(line) > 1 and line[-1] in NO_END:
        carried.insert(0, line.pop())
    return carried


def _fit(token: str, columns: int) -> str:
    """The longest head of ``token`` within ``columns`` (at least one character)."""
    width = 0
    for i, ch in enumerate(token):
        width += char_width(ch)
        if width > columns:
            return token[: max(i, 1)]
    return token
