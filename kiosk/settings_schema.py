"""Technician settings declared once: key path, labels and help in both languages, type, limits.

The technician panel is generated from ``SETTINGS`` (in the spirit of Electrum's ``ConfigVar``):
adding a setting here adds its field, its validation and its "needs a restart" note. Values are
still validated in full by ``KioskConfig`` / ``PrinterSettings`` when saving (kiosk.configwrite);
the limits here drive the widgets. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One editable setting of the kiosk TOML.

    ``key`` is a dotted path (``printer.width_mm``); ``kind`` one of ``str``, ``secret``, ``int``,
    ``float``, ``choice`` (its choices may be tuples: the setting is then a list), ``bool``,
    ``signs`` (the list of LED sign buses). ``live`` says whether the kiosk applies it without a
    restart.
    """

    key: str
    group: str
    label_zh: str
    label_en: str
    help_zh: str
    help_en: str
    kind: str = "str"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    live: bool = True

    def label(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_zh

    def help(self, lang: str) -> str:
        """The help text in ``lang``."""
        return self.help_en if lang == "en" else self.help_zh


S = Setting
GROUPS = ("printer", "reader", "signs", "voice", "display", "server", "kiosk")
"""Pages of the technician panel, in order."""

SETTINGS: tuple[Setting, ...] = (
    S("printer.uri", "printer", "打印机地址", "Printer URI",
      "例如 usb://0416:5011、serial:///dev/ttyUSB0?baudrate=115200、tcp://192.168.1.50:9100、dummy:",
      "e.g. usb://0416:5011, serial:///dev/ttyUSB0?baudrate=115200, tcp://192.168.1.50:9100, dummy:",
      default="dummy:"),
    S("printer.mode", "printer", "打印方式", "Print mode",
      "text：打印机字库，速度快；raster：整张图片", "text: printer fonts, fast; raster: one picture",
      "choice", "text", choices=("text", "raster")),
    S("printer.width_mm", "printer", "纸宽（毫米）", "Paper width (mm)", "58 或 80", "58 or 80",
      "choice", 80, choices=(58, 80)),
    S("printer.qr", "printer", "二维码方式", "QR code", "native：打印机指令；image：图片（不支持原生二维码的打印机）",
      "native: printer command; image: picture (printers without native QR)",
      "choice", "native", choices=("native", "image")),
    S("printer.show_materials", "printer", "打印材料清单", "Print materials list",
      "在票上打印所需材料", "Print the required materials on the ticket", "bool", True),
    S("id_reader.uri", "reader", "读卡器端口", "Card reader port",
      "例如 serial:///dev/ttyUSB1?baudrate=115200，或模拟器 sim:resident",
      "e.g. serial:///dev/ttyUSB1?baudrate=115200, or the simulator sim:resident",
      default="sim:resident", live=False),
    S("id_reader.poll_interval_s", "reader", "寻卡间隔（秒）", "Poll interval (s)",
      "等待刷卡时每隔多久寻卡一次", "How often to look for a card while waiting",
      "float", 0.3, 0.05, 5, live=False),
    S("signs", "signs", "LED 窗口屏", "LED window signs",
      "每条总线一个地址；地址表把窗口号对应到屏地址，例如 1=1, 2=2",
      "One URI per bus; the address map links window numbers to sign addresses, e.g. 1=1, 2=2",
      "signs", [], live=False),
    S("voice.backend", "voice", "语音方式", "Voice backend",
      "clips：录音片段；qt：系统语音合成（需已安装语音）；silent：静音",
      "clips: recorded clips; qt: the system's speech synthesis (needs an installed voice); "
      "silent: no sound",
      "choice", "clips", choices=("clips", "qt", "silent"), live=False),
    S("voice.volume", "voice", "音量", "Volume", "0 到 1", "0 to 1", "float", 0.8, 0, 1),
    S("voice.languages", "voice", "播报语言", "Announcement languages",
      "每次叫号依次用哪些语言播报", "The languages each call is spoken in, in order",
      "choice", ["zh"], choices=(("zh",), ("zh", "en"), ("en",)), live=False),
    S("voice.repeat", "voice", "播报次数", "Repeats", "每次叫号播报几遍", "How many times a call is spoken",
      "int", 2, 1, 5),
    S("display.screen", "display", "叫号屏显示器", "Calling screen monitor",
      "0 为第一个显示器", "0 is the first monitor", "int", 0, 0, 8, live=False),
    S("display.recent_calls", "display", "显示最近叫号数", "Recent calls shown",
      "叫号屏列出最近几次叫号", "How many recent calls the calling screen lists",
      "int", 8, 1, 20, live=False),
    S("display.blink_seconds", "display", "新叫号闪烁（秒）", "New call blinks (s)",
      "最新叫号闪烁多久", "How long the latest call blinks", "float", 6, 0, 60, live=False),
    S("link.mode", "server", "连接方式", "Link mode",
      "standalone：本机排队；server：连接大厅服务器", "standalone: queue in this kiosk; server: hall server",
      "choice", "standalone", choices=("standalone", "server"), live=False),
    S("link.url", "server", "服务器地址", "Server URL", "例如 http://192.168.1.10:8600",
      "e.g. http://192.168.1.10:8600", default="http://127.0.0.1:8600", live=False),
    S("link.token", "server", "设备令牌", "Device token", "大厅服务器发给本机的令牌",
      "The token the hall server issued to this kiosk", "secret", "", live=False),
    S("link.timeout_s", "server", "超时（秒）", "Timeout (s)", "等待服务器应答的最长时间",
      "Longest wait for the server's answer", "float", 3.0, 0.5, 60, live=False),
    S("kiosk.id", "kiosk", "终端编号", "Kiosk id", "字母、数字、-、_，最多 32 个", "Letters, digits, - and _, up to 32",
      default="K01", live=False),
    S("kiosk.idle_timeout_s", "kiosk", "无操作返回（秒）", "Idle timeout (s)",
      "无人操作多久回到首页", "Back to the home screen after this long without a touch",
      "float", 60, 10, 600),
    S("kiosk.elderly_idle_timeout_s", "kiosk", "长者模式无操作返回（秒）", "Elderly-mode idle timeout (s)",
      "长者模式下的无操作时间", "Idle timeout in elderly mode", "float", 120, 10, 900),
    S("kiosk.done_timeout_s", "kiosk", "出票后返回（秒）", "Done screen (s)",
      "出票页显示多久", "How long the done screen stays", "float", 12, 3, 120),
    S("kiosk.elderly_age", "kiosk", "长者年龄", "Elderly age", "达到此年龄提供老年人优先",
      "Citizens of this age or older are offered priority", "int", 65, 50, 100),
    S("staff.idle_lock_s", "kiosk", "工作人员模式自动锁定（秒）", "Staff mode auto-lock (s)",
      "工作人员模式无操作多久自动锁定", "Staff mode locks itself after this long idle",
      "float", 120, 10, 3600),
)

BY_KEY = {s.key: s for s in SETTINGS}


def in_group(group: str) -> list[Setting]:
    """The settings on one page."""
    return [s for s in SETTINGS if s.group == group]


def get_value(data: dict, key: str, default: Any = None) -> Any:
    """The value at dotted ``key`` in a plain config dict, or ``default``."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def restart_needed(keys: list[str] | set[str]) -> list[str]:
    """Of the changed ``keys``, those the kiosk only picks up after a restart."""
    return sorted(k for k in keys if k in BY_KEY and not BY_KEY[k].live)
