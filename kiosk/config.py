"""Hall and kiosk configuration: TOML files validated by pydantic models.

The hall file describes the hall (zones, services, windows, priorities, rules); the kiosk file
describes one device (its id, how it reaches the hall, its devices). Both are validated in full
before anything starts, and every error is reported with its key path, so a technician can fix
them all in one pass. The kiosk models also carry what the technician panel shows of each
setting (``panel``): label, help, limits and default are declared once, on the field.
"""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from drivers.printer import PrinterSettings
from kiosk.case_settings import CaseSettings, ExportSettings, case_problems
from kiosk.configproblems import explain
from kiosk.workdays import CalendarSettings

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class ConfigError(Exception):
    """A configuration file that cannot be used; ``problems`` lists (key path, reason) pairs."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]):
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  {key}: {reason}" for key, reason in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s)\n{lines}")


class Strict(BaseModel):
    """Base of every config model: unknown keys are errors, not silently ignored typos
    (``kiosk.configproblems`` names each with the closest valid key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both languages of the kiosk."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``), Chinese for anything else."""
        return self.en if lang == "en" else self.zh


class TextList(Strict):
    """A list of texts in both languages (materials, bundle items)."""

    zh: list[str] = []
    en: list[str] = []

    def get(self, lang: str) -> list[str]:
        """The list in ``lang``, falling back to Chinese where English is missing."""
        return self.en if lang == "en" and self.en else self.zh


class Hours(Strict):
    """Opening hours of one day, with an optional lunch break."""

    open: time = time(8, 30)
    close: time = time(17, 30)
    lunch_start: time | None = None
    lunch_end: time | None = None
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = [1, 2, 3, 4, 5]

    @field_validator("open", "close", "lunch_start", "lunch_end")
    @classmethod
    def _local_time(cls, value: time | None) -> time | None:
        # pydantic reads a number (``open = 0``) or "08:30Z" as a time with a zone, which the
        # hall's local times cannot be compared with: say so here instead of failing below.
        if value is not None and value.tzinfo is not None:
            raise ValueError("write a time of day without a time zone, e.g. 08:30:00")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.open >= self.close:
            raise ValueError("open must be before close")
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValueError("lunch_start and lunch_end go together")
        if self.lunch_start and not (self.open < self.lunch_start < self.lunch_end < self.close):
            raise ValueError("the lunch break must lie inside the opening hours")
        return self


class Zone(Strict):
    """A group of windows and services on the hall floor."""

    code: Code
    name: Text


class Priority(Strict):
    """A priority class; ``rank`` 0 is normal, higher ranks overtake lower ones."""

    code: Code
    name: Text
    rank: int = Field(ge=0, le=9)
    staff_only: bool = False


class Service(Strict):
    """A service citizens queue for."""

    code: Code
    name: Text
    zone: Code
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    digits: int = Field(default=3, ge=2, le=5)
    kind: Literal["standard", "consult", "bundle", "complaint"] = "standard"
    id_required: bool = False
    priorities: list[Code] = ["normal"]
    materials: TextList = TextList()
    bundle_items: TextList = TextList()
    daily_quota: int = Field(default=300, ge=1)
    service_minutes: float = Field(default=8.0, gt=0, le=240)
    hours: Hours | None = None
    remote: bool = False  # citizens may take a ticket of it from their phone (线上取号, [remote])


class Window(Strict):
    """A service window; ``services`` in order of preference for call-next.

    ``kind`` ``desk`` is a consultation desk: called ``18号咨询台`` ("Help desk 18"), not a window.
    """

    number: int = Field(ge=1, le=999)
    name: Text
    zone: Code
    services: list[Code] = Field(min_length=1)
    kind: Literal["window", "desk"] = "window"


class OfflineRange(Strict):
    """Sequence numbers reserved for one kiosk's offline tickets, in every service."""

    kiosk: Code
    start: int = Field(ge=1)
    end: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> OfflineRange:
        if self.start > self.end:
            raise ValueError("start must not be after end")
        return self


class Policy(Strict):
    """The queue's rules."""

    priority_ratio: int = Field(default=3, ge=1, le=50)
    max_wait_minutes: float = Field(default=45, gt=0)
    recall_limit: int = Field(default=3, ge=1, le=10)
    requeue_grace_minutes: float = Field(default=60, ge=0)
    appointment_early_minutes: float = Field(default=30, ge=0)
    appointment_late_minutes: float = Field(default=15, ge=0)
    recent_service_samples: int = Field(default=20, ge=1)
    # The hall's word on the senior priority: a kiosk token may issue ``elderly`` only for a card
    # of this age or older (each kiosk's own [kiosk] elderly_age only decides when to offer it).
    elderly_age: int = Field(default=65, ge=50, le=100)
    # "required": a window calls only while a clerk is signed in there (kiosk.clerks).
    clerk_sign_in: Literal["optional", "required"] = "optional"
    # How often each device reports its state (kiosk.device_status): one missing for more than
    # three intervals is listed as offline; kiosks' alerts say so.
    device_report_s: float = Field(default=30, ge=5, le=3600)


class RatingSettings(Strict):
    """The hall's 好差评 rules (``[ratings]``, DESIGN.md "Ratings")."""

    window_minutes: float = Field(default=10, gt=0, le=240)  # a window's evaluator rates a ticket this long after finish
    kiosk_self_service: bool = False  # the kiosk's done screen offers to rate its own self-service
    qr_days: float = Field(default=3, ge=0, le=90)  # the ticket's QR page takes a rating this long after finish


class WebhookSender(Strict):
    """``[notify.webhook]``: each message POSTed as JSON to a URL of the hall's own gateway."""

    url: str = ""
    secret: str = ""  # when set, the body's HMAC-SHA256 goes in X-Hall-Signature


class AliyunSms(Strict):
    """``[notify.aliyun]``: Alibaba Cloud SMS (dysmsapi SendSms, signature method HMAC-SHA1)."""

    access_key_id: str = ""
    access_key_secret: str = ""
    sign_name: str = ""  # the approved 短信签名
    template_ahead: str = ""  # SMS_… template with ${number} ${ahead}
    template_turn: str = ""  # SMS_… template with ${number} ${window}
    region: str = "cn-hangzhou"
    endpoint: str = "https://dysmsapi.aliyuncs.com"


class TencentSms(Strict):
    """``[notify.tencent]``: Tencent Cloud SMS (SendSms 2021-01-11, TC3-HMAC-SHA256)."""

    secret_id: str = ""
    secret_key: str = ""
    sdk_app_id: str = ""
    sign_name: str = ""
    template_ahead: str = ""  # template id; parameters {1} number, {2} people ahead
    template_turn: str = ""  # template id; parameters {1} number, {2} window
    region: str = "ap-guangzhou"
    endpoint: str = "https://sms.tencentcloudapi.com"


NOTIFY_REQUIRED = {
    "webhook": ("url",),
    "aliyun": ("access_key_id", "access_key_secret", "sign_name", "template_ahead", "template_turn"),
    "tencent": ("secret_id", "secret_key", "sdk_app_id", "sign_name", "template_ahead", "template_turn"),
}


class NotifySettings(Strict):
    """``[notify]``: the text messages a citizen may ask for on the phone page (kiosk.notify)."""

    sender: Literal["none", "webhook", "aliyun", "tencent"] = "none"
    ahead: int = Field(default=3, ge=1, le=50)  # "N people ahead" goes out when this many or fewer are ahead
    timeout_s: float = Field(default=5, gt=0, le=60)  # one attempt to the sender's API
    max_attempts: int = Field(default=8, ge=1, le=50)
    webhook: WebhookSender = WebhookSender()
    aliyun: AliyunSms = AliyunSms()
    tencent: TencentSms = TencentSms()

    @model_validator(mode="after")
    def _complete(self) -> NotifySettings:
        if self.sender == "none":
            return self
        table = getattr(self, self.sender)
        missing = [key for key in NOTIFY_REQUIRED[self.sender] if not getattr(table, key)]
        if missing:
            raise ValueError(f"sender {self.sender!r} needs {', '.join(missing)} in [notify.{self.sender}]")
        url = table.url if self.sender == "webhook" else table.endpoint
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"[notify.{self.sender}] needs an http:// or https:// address, not {url!r}")
        return self

    @property
    def enabled(self) -> bool:
        """Whether the hall sends messages at all."""
        return self.sender != "none"


class RatingReason(Strict):
    """A reason a citizen may tick with a bad rating (``[[rating_reasons]]``)."""

    code: Code
    name: Text


class RemoteSettings(Strict):
    """线上取号 (``[remote]``, DESIGN.md "Remote tickets"): a ticket for today taken from a phone
    with a booking code or an ID number; it joins the queue when the citizen checks in at a kiosk,
    or by itself at its slot when ``join`` is "slot"."""

    enabled: bool = False
    daily_quota: int = Field(default=100, ge=0, le=100000)  # remote tickets a day, all services together
    start: time | None = None  # when the hall takes remote tickets (default: its opening hours)
    end: time | None = None
    slot_minutes: int = Field(default=30, ge=5, le=240)  # the citizen is asked to come within this slot
    check_in_late_minutes: float = Field(default=30, ge=0, le=480)  # after the slot's start; then it lapses
    check_in_early_minutes: float = Field(default=60, ge=0, le=720)  # before the slot's start: not yet
    join: Literal["check_in", "slot"] = "check_in"
    per_minute: int = Field(default=10, ge=1, le=10000)  # requests a minute one address may make
    require_tls: bool = True  # ID numbers only over https (loopback aside)


class Demand(Strict):
    """What ``kiosk simulate`` plays when the hall file says (``[demand]``): relative arrivals per
    hour of the day ("9" = 1.5) and services' relative shares; empty: built-in defaults."""

    hourly: dict[Annotated[int, Field(ge=0, le=23)], Annotated[float, Field(ge=0)]] = {}
    shares: dict[str, Annotated[float, Field(ge=0)]] = {}


class HallInfo(Strict):
    """The hall itself."""

    code: Code
    name: Text
    timezone: str = "Asia/Shanghai"
    public_url: str = "http://127.0.0.1:8600"
    hours: Hours = Hours()
    notice: Text | None = None
    address: Text | None = None  # shown on the citizen's phone page with the hours

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError or a malformed key
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


POSTGRES_URL_STARTS = ("postgresql://", "postgres://", "postgresql+psycopg://")
"""What ``kiosk.store.database_url`` takes, repeated here so reading a hall file loads no SQLAlchemy."""


class StorageSettings(Strict):
    """Where the hall server keeps the hall (``kiosk serve``, ``appointments import``, a
    standalone ``kiosk run``); ``--db`` on the command line wins over it."""

    database: str = Field(
        "", description="the hall's PostgreSQL database (postgresql://user@host/name); empty: the SQLite "
                        "file hall.db in the data folder. Keep its password out of this file (~/.pgpass)")

    @field_validator("database")
    @classmethod
    def _postgresql(cls, value: str) -> str:
        value = value.strip()
        head = next((s for s in POSTGRES_URL_STARTS if value.startswith(s)), None)
        if value and (head is None or len(value) == len(head)):
            # The value itself is not echoed: it may hold a password.
            raise ValueError("database must be a PostgreSQL URL such as postgresql://hall@db.example/hall, "
                             "or empty for the SQLite file in the data folder")
        return value


class HallConfig(Strict):
    """The whole hall file."""

    hall: HallInfo
    policy: Policy = Policy()
    zones: list[Zone] = Field(min_length=1)
    priorities: list[Priority] = Field(min_length=1)
    services: list[Service] = Field(min_length=1)
    windows: list[Window] = Field(min_length=1)
    offline_ranges: list[OfflineRange] = []
    calendar: CalendarSettings = CalendarSettings()  # working days of case deadlines (kiosk.workdays)
    cases: CaseSettings = CaseSettings()
    export: ExportSettings = ExportSettings()
    ratings: RatingSettings = RatingSettings()
    rating_reasons: list[RatingReason] = []
    storage: StorageSettings = StorageSettings()
    remote: RemoteSettings = RemoteSettings()
    demand: Demand = Demand()
    notify: NotifySettings = NotifySettings()

    @model_validator(mode="after")
    def _consistent(self) -> HallConfig:
        problems = cross_reference_problems(self)
        if problems:
            raise CrossReferenceError(problems)
        return self

    def service(self, code: str) -> Service | None:
        """The service with ``code``, or None."""
        return next((s for s in self.services if s.code == code), None)

    def window(self, number: int) -> Window | None:
        """The window with ``number``, or None."""
        return next((w for w in self.windows if w.number == number), None)

    def windows_for(self, service: str) -> list[int]:
        """Numbers of the windows that serve ``service``."""
        return [w.number for w in self.windows if service in w.services]

    def priority(self, code: str) -> Priority | None:
        """The priority with ``code``, or None."""
        return next((p for p in self.priorities if p.code == code), None)


def _duplicates(values: list) -> list:
    seen, dups = set(), []
    for value in values:
        if value in seen and value not in dups:
            dups.append(value)
        seen.add(value)
    return dups


class CrossReferenceError(ValueError):
    """The hall file's sections disagree; ``problems`` are (key, sentence) pairs, the key naming
    the field to fix (``windows.5.services``, ``services.SS01.prefix``) so a settings form can
    mark it. Its text is the sentences alone, as ``kiosk config check`` prints them."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(dict.fromkeys(sentence for _key, sentence in problems)))


def cross_reference_problems(cfg: HallConfig) -> list[tuple[str, str]]:
    """Every reference between sections that points nowhere, and every duplicate key, as
    (field key, sentence) pairs; services are keyed by code, windows by number."""
    problems: list[tuple[str, str]] = []
    zones = {z.code for z in cfg.zones}
    services = {s.code for s in cfg.services}
    priorities = {p.code for p in cfg.priorities}
    for label, key_of, items, value_of in (
        ("zone code", lambda z: "zones", cfg.zones, lambda z: z.code),
        ("service code", lambda s: f"services.{s.code}.code", cfg.services, lambda s: s.code),
        ("service prefix", lambda s: f"services.{s.code}.prefix", cfg.services, lambda s: s.prefix),
        ("window number", lambda w: f"windows.{w.number}.number", cfg.windows, lambda w: w.number),
        ("priority code", lambda p: "priorities", cfg.priorities, lambda p: p.code),
        ("rating reason code", lambda r: "rating_reasons", cfg.rating_reasons, lambda r: r.code),
    ):
        for value in _duplicates([value_of(item) for item in items]):
            keys = dict.fromkeys(key_of(i) for i in items if value_of(i) == value)  # each holder's field
            problems += [(key, f"duplicate {label} {value!r}") for key in keys]
    if "normal" not in priorities:
        problems.append(("priorities", "priorities must include 'normal'"))
    for s in cfg.services:
        key = f"services.{s.code}"
        if s.zone not in zones:
            problems.append((f"{key}.zone", f"service {s.code}: unknown zone {s.zone!r}"))
        problems += [(f"{key}.priorities", f"service {s.code}: unknown priority {p!r}")
                     for p in s.priorities if p not in priorities]
        if not any(s.code in w.services for w in cfg.windows):
            problems.append((f"{key}.windows", f"service {s.code}: no window serves it"))
    for w in cfg.windows:
        key = f"windows.{w.number}"
        if w.zone not in zones:
            problems.append((f"{key}.zone", f"window {w.number}: unknown zone {w.zone!r}"))
        problems += [(f"{key}.services", f"window {w.number}: unknown service {c!r}")
                     for c in w.services if c not in services]
    ranges = sorted(cfg.offline_ranges, key=lambda r: r.start)
    for a, b in zip(ranges, ranges[1:], strict=False):
        if b.start <= a.end:
            problems.append(("offline_ranges", f"offline ranges of {a.kiosk} and {b.kiosk} overlap"))
    problems += [("cases.unresolved_window", p)
                 for p in case_problems(cfg.cases.unresolved_window, {w.number for w in cfg.windows})]
    return problems


def panel(group: str, zh: str, en: str, help_zh: str, *, live: bool = True, **more) -> dict:
    """The ``json_schema_extra`` of a setting the technician panel shows (kiosk.settings_schema).

    ``group`` is its page, ``zh``/``en`` its label, ``help_zh`` its Chinese help (the English
    help is the field's ``description``); ``live`` says whether the kiosk applies it without a
    restart. ``more`` may give ``kind`` (``secret``, ``signs``) or ``choices`` (for a list).
    Limits and the default stay on the field itself: they are declared once, there.
    """
    return {"panel": group, "label": {"zh": zh, "en": en}, "help_zh": help_zh, "live": live, **more}


class HallLink(Strict):
    """How a kiosk reaches the queue: in-process (standalone) or a hall server."""

    mode: Literal["standalone", "server"] = Field(
        "standalone", description="standalone: queue in this kiosk; server: hall server",
        json_schema_extra=panel("server", "连接方式", "Link mode", "standalone：本机排队；server：连接大厅服务器",
                                live=False))
    url: str = Field(
        "http://127.0.0.1:8600", description="e.g. http://192.168.1.10:8600",
        json_schema_extra=panel("server", "服务器地址", "Server URL", "例如 http://192.168.1.10:8600", live=False))
    token: str = Field(
        "", description="The token the hall server issued to this kiosk",
        json_schema_extra=panel("server", "设备令牌", "Device token", "大厅服务器发给本机的令牌", live=False,
                                kind="secret"))
    timeout_s: float = Field(
        3.0, ge=0.5, le=60, description="Longest wait for the server's answer",
        json_schema_extra=panel("server", "超时（秒）", "Timeout (s)", "等待服务器应答的最长时间", live=False))
    report_interval_s: float = Field(
        30.0, ge=5, le=3600,
        description="How often this device reports its state to the hall (keep it at or below the hall "
                    "file's [policy] device_report_s: three missed reports read as offline)",
        json_schema_extra=panel("server", "状态上报间隔（秒）", "Status report interval (s)",
                                "本机向大厅报告设备状态的间隔（不大于大厅配置 [policy] device_report_s；"
                                "连续三次未报告即视为离线）", live=False))
    ca_file: str = Field(
        "", max_length=4096,
        description="For an https url: the hall CA certificate (ca.crt from 'kiosk tls init'), relative "
                    "to this file's folder; empty: the system's trusted CAs",
        json_schema_extra=panel("server", "CA 证书文件", "CA certificate file",
                                "https 地址时：大厅 CA 证书（kiosk tls init 生成的 ca.crt），相对于本配置文件所在目录；"
                                "留空则使用系统信任的证书", live=False))

    @model_validator(mode="after")
    def _server_needs_token(self) -> HallLink:
        if self.mode == "server" and not self.token:
            raise ValueError("a token is required when mode = 'server'")
        return self


class KioskInfo(Strict):
    """The kiosk device itself and its citizen-facing behaviour."""

    id: Code = Field(
        description="Letters, digits, - and _, up to 32",
        json_schema_extra=panel("kiosk", "终端编号", "Kiosk id", "字母、数字、-、_，最多 32 个", live=False))
    hall_config: str = "hall.toml"
    data_dir: str = ""
    language: Literal["zh", "en"] = "zh"
    idle_timeout_s: float = Field(
        60, ge=10, le=600, description="Back to the home screen after this long without a touch",
        json_schema_extra=panel("kiosk", "无操作返回（秒）", "Idle timeout (s)", "无人操作多久回到首页"))
    elderly_idle_timeout_s: float = Field(
        120, ge=10, le=900, description="Idle timeout in elderly mode",
        json_schema_extra=panel("kiosk", "长者模式无操作返回（秒）", "Elderly-mode idle timeout (s)",
                                "长者模式下的无操作时间"))
    done_timeout_s: float = Field(
        12, ge=3, le=120, description="How long the done screen stays",
        json_schema_extra=panel("kiosk", "出票后返回（秒）", "Done screen (s)", "出票页显示多久"))
    elderly_age: int = Field(
        65, ge=50, le=100, description="Citizens of this age or older are offered priority",
        json_schema_extra=panel("kiosk", "长者年龄", "Elderly age", "达到此年龄提供老年人优先"))
    voice_guidance: Literal["off", "elderly", "always"] = Field(
        "off", description="Read each screen's title and main action aloud: off, in elderly mode, or always",
        json_schema_extra=panel("kiosk", "语音引导", "Voice guidance", "朗读每个页面的标题和操作：关闭、长者模式时、始终",
                                live=False))  # the voice is opened at start when asked for

    @model_validator(mode="before")
    @classmethod
    def _no_hash_key(cls, data):
        # Only the hall holds the key of the ID hashes now (DESIGN.md §4): a kiosk file that
        # still has one is told why it must go, not just that the key is unknown.
        if isinstance(data, dict) and "id_hash_key" in data:
            raise ValueError(
                "id_hash_key is no longer a kiosk setting: delete the line. Kiosks now seal ID "
                "numbers to the hall server's key and only the server holds the hash key (in its "
                "key folder, kiosk serve --keys), so a copied kiosk cannot reveal ID numbers")
        return data


class ReaderSettings(Strict):
    """The ID card reader."""

    uri: str = Field(
        "sim:resident", description="e.g. serial:///dev/ttyUSB1?baudrate=115200, or the simulator sim:resident",
        json_schema_extra=panel("reader", "读卡器端口", "Card reader port",
                                "例如 serial:///dev/ttyUSB1?baudrate=115200，或模拟器 sim:resident", live=False))
    # 50 ms is about one find-select-read exchange at 115200 baud: polling faster only busies the line.
    poll_interval_s: float = Field(
        0.3, ge=0.05, le=5, description="How often to look for a card while waiting",
        json_schema_extra=panel("reader", "寻卡间隔（秒）", "Poll interval (s)", "等待刷卡时每隔多久寻卡一次",
                                live=False))


class SignSettings(Strict):
    """One LED sign bus and the windows on it (window number → bus address)."""

    uri: str = "sim:"
    addresses: dict[str, Annotated[int, Field(ge=0, le=255)]] = {}

    @field_validator("addresses")
    @classmethod
    def _window_numbers(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [key for key in value if not (key.isdigit() and 1 <= int(key) <= 999)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a window number (1-999): write each entry as \"3\" = 3")
        return value

    @field_validator("uri")
    @classmethod
    def _uri_parses(cls, value: str) -> str:
        from drivers.sign import SignUriError, parse_sign_uri

        try:
            parse_sign_uri(value)
        except SignUriError as exc:
            raise ValueError(str(exc)) from None
        return value


class VoiceSettings(Strict):
    """Announcements."""

    backend: Literal["clips", "qt", "silent"] = Field(
        "clips", description="clips: recorded clips; qt: the system's speech synthesis (needs an installed "
        "voice); silent: no sound",
        json_schema_extra=panel("voice", "语音方式", "Voice backend",
                                "clips：录音片段；qt：系统语音合成（需已安装语音）；silent：静音", live=False))
    languages: list[Literal["zh", "en"]] = Field(
        ["zh"], description="The languages each call is spoken in, in order",
        json_schema_extra=panel("voice", "播报语言", "Announcement languages", "每次叫号依次用哪些语言播报",
                                live=False, choices=[["zh"], ["zh", "en"], ["en"]]))
    repeat: int = Field(
        2, ge=1, le=5, description="How many times a call is spoken",
        json_schema_extra=panel("voice", "播报次数", "Repeats", "每次叫号播报几遍", live=False))
    volume: float = Field(
        0.8, ge=0, le=1, description="Loudness of the announcements: 0 silent, 1 full",
        json_schema_extra=panel("voice", "音量", "Volume", "播报音量：0 为静音，1 为最大", live=False))
    clips_dir: str = ""
    output_dir: str = Field(
        "", description="Write what would be spoken as WAV files into this folder instead of playing it "
        "(a machine without speakers; the demo)")


class DisplaySettings(Strict):
    """The calling screen."""

    # A kiosk PC drives a handful of outputs: a larger index is a typo, caught here.
    screen: int = Field(
        0, ge=0, le=8, description="0 is the first monitor",
        json_schema_extra=panel("display", "叫号屏显示器", "Calling screen monitor", "0 为第一个显示器",
                                live=False))
    window: int | None = None
    recent_calls: int = Field(
        8, ge=1, le=20, description="How many recent calls the calling screen lists",
        json_schema_extra=panel("display", "显示最近叫号数", "Recent calls shown", "叫号屏列出最近几次叫号",
                                live=False))
    blink_seconds: float = Field(
        6, ge=0, le=60, description="How long the latest call blinks",
        json_schema_extra=panel("display", "新叫号闪烁（秒）", "New call blinks (s)", "最新叫号闪烁多久",
                                live=False))
    help_seconds: float = Field(
        60, ge=5, le=600, description="How long a kiosk's call for staff shows on the board and the guide desk",
        json_schema_extra=panel("display", "求助提示显示（秒）", "Call for staff shows (s)",
                                "自助机呼叫工作人员的提示在叫号屏和咨询台显示多久", live=False))


class StaffSettings(Strict):
    """Who may open the staff and technician panels."""

    pin_hash: str = ""
    tech_pin_hash: str = ""
    staff_cards: list[str] = Field(
        default=[], description="staff cards: salted scrypt entries of their ID numbers (kiosk.idkeys.staff_card_entry)")
    idle_lock_s: float = Field(
        120, ge=10, le=3600, description="Staff mode locks itself after this long idle",
        json_schema_extra=panel("kiosk", "工作人员模式自动锁定（秒）", "Staff mode auto-lock (s)",
                                "工作人员模式无操作多久自动锁定"))

    @field_validator("staff_cards")
    @classmethod
    def _staff_entries(cls, entries: list[str]) -> list[str]:
        from kiosk.pins import PinHashError, parse_pin_hash

        for entry in entries:
            try:
                parse_pin_hash(entry)
            except PinHashError:
                raise ValueError(
                    f"staff card entry {entry[:12]!r}… is not a scrypt entry (scrypt$n$r$p$salt$hash): "
                    "old ID-hash entries no longer work, register the staff card again "
                    "(kiosk.idkeys.staff_card_entry)") from None
        return entries

    def is_staff_card(self, id_number: str) -> bool:
        """Whether the card with this ID number opens staff mode (and never queues). Each entry
        costs one scrypt (about 30 ms): a kiosk holds no key that would make it cheaper, and so
        its file gives no cheap way to guess staff numbers either."""
        from kiosk.idkeys import is_staff_card

        return bool(id_number) and is_staff_card(self.staff_cards, id_number)


class KioskConfig(Strict):
    """The whole kiosk file; ``[printer]`` is the printer driver's own model, validated here too."""

    kiosk: KioskInfo
    link: HallLink = HallLink()
    printer: PrinterSettings = PrinterSettings()
    id_reader: ReaderSettings = ReaderSettings()
    signs: list[SignSettings] = Field(
        [], description="One URI per bus; the address map links window numbers to sign addresses, e.g. 1=1, 2=2",
        json_schema_extra=panel("signs", "LED 窗口屏", "LED window signs",
                                "每条总线一个地址；地址表把窗口号对应到屏地址，例如 1=1, 2=2", live=False, kind="signs"))
    voice: VoiceSettings = VoiceSettings()
    display: DisplaySettings = DisplaySettings()
    staff: StaffSettings = StaffSettings()


def _problems(exc: ValidationError, model: type[BaseModel]) -> list[tuple[str, str]]:
    """(dotted key path, reason) for every error pydantic found in a ``model`` file."""
    return [(".".join(str(p) for p in err["loc"]) or "(file)", explain(err, model)) for err in exc.errors()]


def read_toml(path: Path | str) -> dict:
    """Parse a TOML file, turning a missing or malformed file into a ConfigError."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, [("(file)", "file not found")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [("(file)", f"not valid TOML: {exc}")]) from None


def load_hall_config(path: Path | str) -> HallConfig:
    """Read and validate a hall file."""
    try:
        return HallConfig.model_validate(read_toml(path))
    except ValidationError as exc:
        raise ConfigError(path, _problems(exc, HallConfig)) from None


def load_kiosk_config(path: Path | str) -> KioskConfig:
    """Read and validate a kiosk file."""
    try:
        return KioskConfig.model_validate(read_toml(path))
    except ValidationError as exc:
        raise ConfigError(path, _problems(exc, KioskConfig)) from None


def load_any(path: Path | str) -> HallConfig | KioskConfig:
    """Validate a file as whichever kind it is: a hall file has ``[hall]``, a kiosk ``[kiosk]``."""
    data = read_toml(path)
    model = HallConfig if "hall" in data else KioskConfig
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, _problems(exc, model)) from None


PROJECT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
"""The sample configuration shipped with the project, used by ``--dev`` and the demo."""
