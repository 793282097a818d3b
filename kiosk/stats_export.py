"""A statistics report as CSV or XLSX (DESIGN.md "Statistics"), in Chinese or English.

Both have the same columns; CSV is UTF-8 with a byte order mark (Excel then reads its Chinese
right) and gives shares in percent, XLSX keeps shares as fractions under a percent format and a
second sheet with the period, the threshold and the definitions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import NamedTuple

from kiosk.stats_labels import CHANNEL_LABELS
from kiosk.stats_models import CHANNELS, LEVELS, StatsReport, StatsRow

LANGS = ("zh", "en")
GROUP_NAMES = {
    "service": ("服务事项", "Service"), "window": ("窗口", "Window"), "clerk": ("工作人员", "Clerk"),
    "hour": ("时段", "Hour"), "day": ("日期", "Day"), "priority": ("优先级", "Priority"),
    "channel": ("取号渠道", "Channel"),
}
CHANNEL_NAMES = {code: (names["zh"], names["en"]) for code, names in CHANNEL_LABELS.items()}
LEVEL_NAMES = {5: ("非常满意", "Very satisfied"), 4: ("满意", "Satisfied"), 3: ("基本满意", "Fairly satisfied"),
               2: ("不满意", "Dissatisfied"), 1: ("非常不满意", "Very dissatisfied")}


class Column(NamedTuple):
    """One column: its header in zh and en, its value in a row, and its kind (``text``,
    ``count``, ``minutes`` or ``share``)."""

    zh: str
    en: str
    value: Callable[[StatsRow], object]
    kind: str


def columns(report: StatsReport) -> list[Column]:
    """The columns of ``report``, in order."""
    group_zh, group_en = GROUP_NAMES[report.by]
    over = report.threshold_min
    cols = [Column(group_zh, group_en, lambda r: r.label, "text"), Column("代码", "Code", lambda r: r.key, "text"),
            Column("取号数", "Issued", lambda r: r.issued, "count")]
    cols += [Column(CHANNEL_NAMES[c][0], CHANNEL_NAMES[c][1], lambda r, c=c: r.channels.get(c, 0), "count")
             for c in CHANNELS]
    cols += [
        Column("办结", "Served", lambda r: r.served, "count"),
        Column("过号", "No-show", lambda r: r.no_show, "count"),
        Column("转移", "Transferred", lambda r: r.transferred, "count"),
        Column("补正重排", "Requeued (补正)", lambda r: r.requeued, "count"),
        Column("平均等候(分钟)", "Mean wait (min)", lambda r: r.wait.mean, "minutes"),
        Column("等候中位数(分钟)", "Median wait (min)", lambda r: r.wait.median, "minutes"),
        Column("等候P90(分钟)", "P90 wait (min)", lambda r: r.wait.p90, "minutes"),
        Column(f"等候超{over}分钟占比", f"Waits over {over} min", lambda r: r.wait.over, "share"),
        Column("平均办理(分钟)", "Mean service (min)", lambda r: r.service.mean, "minutes"),
        Column("办理中位数(分钟)", "Median service (min)", lambda r: r.service.median, "minutes"),
        Column("办理P90(分钟)", "P90 service (min)", lambda r: r.service.p90, "minutes"),
        Column("平均到窗(分钟)", "Mean walk (min)", lambda r: r.walk.mean, "minutes"),
        Column("窗口开放(分钟)", "Windows open (min)", lambda r: r.open_min, "minutes"),
        Column("窗口空闲(分钟)", "Windows idle (min)", lambda r: r.idle_min, "minutes"),
        Column("预计等候平均误差(分钟)", "Estimate mean abs. error (min)", lambda r: r.estimate.mae, "minutes"),
        Column("预计等候偏差(分钟)", "Estimate bias (min)", lambda r: r.estimate.bias, "minutes"),
        Column("预计等候样本数", "Estimates compared", lambda r: r.estimate.n, "count"),
    ]
    cols += [Column(LEVEL_NAMES[level][0], LEVEL_NAMES[level][1], lambda r, k=str(level): r.ratings.get(k, 0),
                    "count") for level in LEVELS]
    cols += [
        Column("评价数", "Ratings", lambda r: r.rated, "count"),
        Column("好评率", "Satisfaction", lambda r: r.satisfaction, "share"),
        Column("工单数", "Cases opened", lambda r: r.cases_opened, "count"),
        Column("按时答复", "Answered in time", lambda r: r.cases_in_time, "count"),
        Column("超期", "Overdue", lambda r: r.cases_overdue, "count"),
    ]
    return cols


def _check(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r} is not a report language; use zh or en")
    return LANGS.index(lang)


def _cell(column: Column, row: StatsRow, lang: str) -> object:
    value = column.value(row)
    return value.get(lang, "") if isinstance(value, dict) else value


def to_csv(report: StatsReport, lang: str = "zh") -> bytes:
    """The report as CSV: a header row, a row per group, the totals; shares in percent."""
    index = _check(lang)
    cols = columns(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c[index] + (" (%)" if c.kind == "share" else "") for c in cols])
    for row in [*report.rows, report.totals]:
        cells = []
        for column in cols:
            value = _cell(column, row, lang)
            if column.kind == "share" and value is not None:
                value = round(value * 100, 2)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


NUMBER_FORMATS = {"count": "0", "minutes": "0.0", "share": "0.0%"}


def to_xlsx(report: StatsReport, lang: str = "zh") -> bytes:
    """The report as an Excel workbook: the figures (header, rows, a bold totals row, number
    formats for minutes and percent, sized columns, frozen header) and a sheet about them."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    index = _check(lang)
    cols = columns(report)
    book = Workbook()
    sheet = book.active
    sheet.title = ("统计", "Statistics")[index]
    sheet.append([c[index] for c in cols])
    for row in [*report.rows, report.totals]:
        sheet.append([_cell(c, row, lang) for c in cols])
    bold = Font(bold=True)
    last = sheet.max_row
    for number, column in enumerate(cols, start=1):
        sheet.cell(1, number).font = bold
        sheet.cell(last, number).font = bold
        for line in range(2, last + 1):
            if column.kind in NUMBER_FORMATS:
                sheet.cell(line, number).number_format = NUMBER_FORMATS[column.kind]
        longest = max(len(str(sheet.cell(line, number).value or "")) for line in range(1, last + 1))
        sheet.column_dimensions[get_column_letter(number)].width = min(40, max(8, longest * 1.6 + 2))
    sheet.freeze_panes = "C2"
    _about(book.create_sheet(("说明", "About")[index]), report, index, bold)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _about(sheet, report: StatsReport, index: int, bold) -> None:  # noqa: ANN001 - openpyxl objects
    """The second sheet: what the figures cover and how each is defined."""
    lang = LANGS[index]
    facts = [
        (("大厅", "Hall"), report.hall_name.get(lang, report.hall)),
        (("统计期间", "Period"), f"{report.start} – {report.end}"),
        (("分组", "Grouped by"), GROUP_NAMES[report.by][index]),
        (("等候超时阈值(分钟)", "Long-wait threshold (min)"), report.threshold_min),
        (("时区", "Time zone"), report.timezone),
    ]
    for names, value in facts:
        sheet.append([names[index], value])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([])
    sheet.append([("定义", "Definitions")[index]])
    sheet.cell(sheet.max_row, 1).font = bold
    for term, text in DEFINITIONS[lang]:
        sheet.append([term, text])
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 110


DEFINITIONS = {
    "zh": [
        ("取号数", "期间内各日取号的票数；渠道：自助机、人工、预约签到、离线补录、远程接口。"),
        ("办结/过号", "票的最终状态为办结或过号。转移、补正按发生过该操作的票计数；票按其最终服务事项归组。"),
        ("等候时间", "取号至第一次叫号；补正后重新排队不重新计时。中位数；P90 取最近秩（至少 90% 的值不超过它的最小值）。"),
        ("办理时间", "开始办理至办结（未点开始的按叫号时刻算），只计办结的票。"),
        ("到窗时间", "叫号至开始办理（重呼不重新计时）。"),
        ("窗口开放", "有工作人员签到且窗口未暂停的时间；签到未签退的最多计到当天结束。"),
        ("窗口空闲", "开放时间中没有已叫号或正在办理的票的时间。"),
        ("预计等候误差", "取号时显示的预计等候与实际等候之差（实际减预计）；平均绝对误差与平均偏差，不含离线票及记录此值之前的票。"),
        ("好评率", "按国家政务服务好差评规则：非常满意、满意、基本满意为好评，好评数除以评价总数。"),
        ("工单", "期间内新开的整改和办不成事工单；按时答复：首次离开待答复状态的时间不晚于期限；超期：晚于期限或至今未答复且已过期限。"),
    ],
    "en": [
        ("Issued", "Tickets of the period's days; channels: kiosk, staff, appointment check-in, offline paper, remote API."),
        ("Served / No-show", "The ticket's final state. Transferred and requeued count tickets that had that action; "
                             "a ticket counts in its final service."),
        ("Wait", "Issue to first call; a requeue (补正) does not restart it. Median; P90 by nearest rank (the smallest "
                 "value at least 90 % of the values do not exceed)."),
        ("Service", "Start to finish (the call when never started), served tickets only."),
        ("Walk", "Call to start (a recall does not restart it)."),
        ("Windows open", "Time a clerk is signed in at a window that is not paused; a sign-in never signed out counts "
                         "until the end of its day at most."),
        ("Windows idle", "Open time with no ticket called or in service at the window."),
        ("Estimate error", "Actual wait minus the estimate shown at issue: mean absolute error and bias; offline tickets "
                           "and tickets from before estimates were recorded are left out."),
        ("Satisfaction", "As the national 好差评 rules count: levels 5, 4 and 3 (very satisfied, satisfied, fairly "
                         "satisfied) are good; good ratings divided by all ratings."),
        ("Cases", "Rectification and 办不成事 cases opened in the period; in time: first left the states owing an "
                  "answer by the deadline; overdue: later, or still unanswered past the deadline."),
    ],
}


def file_name(report: StatsReport, suffix: str) -> str:
    """A download's name: ``stats-DEMO-2026-11-01-2026-11-30-service.xlsx``."""
    return f"stats-{report.hall}-{report.start}-{report.end}-{report.by}.{suffix}"
