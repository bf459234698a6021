"""Reminders outside the app (`zhibu remind`): who gets what through which
channel, and the digest text. Pure: no network, no SQL.

The channels are configuration, the ``[remind]`` section of the config file
(docs/REMINDERS.md): a recipient is a 党支部 or a person, named as in the
app, with any of an 企业微信 group robot, a 钉钉 group robot (signed with its
secret) and an e-mail address; mail goes through the one ``[remind.smtp]``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from domain.dashboard import DueItem, Urgency

SECTION = "remind"


class Channel(StrEnum):
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉群机器人
    EMAIL = "email"


CHANNEL_CN: dict[Channel, str] = {
    Channel.WECOM: "企业微信",
    Channel.DINGTALK: "钉钉",
    Channel.EMAIL: "邮件",
}


class _Strict(BaseModel):
    # A misspelt key in the config file is an error, not a silently unused value.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: SecretStr | None) -> SecretStr | None:
    if value is None:
        return None
    parsed = urllib.parse.urlsplit(value.get_secret_value())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError("机器人地址应以 https:// 开头")
    return value


def secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class Recipient(_Strict):
    """A 党支部 or a person and the channels that reach them. A robot's
    address carries its key, so it is a secret like the 加签 secret: shown as
    ********** by ``zhibu config`` and never printed."""

    name: str = Field(min_length=1)
    wecom_webhook: SecretStr | None = None
    wecom_msgtype: Literal["markdown", "text"] = "markdown"
    dingtalk_webhook: SecretStr | None = None
    # The SEC… string the 钉钉 robot's 加签 security setting shows; empty when
    # the robot uses keywords or an IP allow-list instead.
    dingtalk_secret: SecretStr = SecretStr("")
    email: str | None = None

    _urls = field_validator("wecom_webhook", "dingtalk_webhook")(_http_url)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and ("@" not in value or any(c in value for c in " \r\n,;<>")):
            raise ValueError("邮箱地址格式不对")
        return value

    def channels(self) -> list[Channel]:
        out = []
        if secret(self.wecom_webhook):
            out.append(Channel.WECOM)
        if secret(self.dingtalk_webhook):
            out.append(Channel.DINGTALK)
        if self.email:
            out.append(Channel.EMAIL)
        return out


class SmtpConfig(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False  # STARTTLS after connecting (usually port 587)
    use_ssl: bool = False  # TLS from the first byte (usually port 465)
    # A CA bundle (PEM) for a server whose certificate the company's own CA
    # signed; empty: the system's trusted CAs.
    ca_file: str = ""
    username: str = ""
    password: SecretStr = SecretStr("")
    sender: str = Field(min_length=3)  # the From address

    @model_validator(mode="after")
    def _one_tls(self) -> SmtpConfig:
        if self.starttls and self.use_ssl:
            raise ValueError("starttls 和 use_ssl 只能选一个")
        return self


class RemindConfig(_Strict):
    """The ``[remind]`` section. Defaults are the project's choices, not rules."""

    branches: list[Recipient] = Field(default_factory=list)
    people: list[Recipient] = Field(default_factory=list)
    smtp: SmtpConfig | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # A failed send waits this long before a later run tries it again…
    retry_after_minutes: int = Field(default=10, ge=0)
    # …and after this many failed tries the same day it is given up.
    max_attempts: int = Field(default=8, ge=1)

    @model_validator(mode="after")
    def _mail_needs_smtp(self) -> RemindConfig:
        if self.smtp is None and any(r.email for r in (*self.branches, *self.people)):
            raise ValueError("配置了邮箱，但没有 [remind.smtp] 发信服务器")
        return self


# --- who gets which items -----------------------------------------------------


class Kind(StrEnum):
    BRANCH = "支部"
    PERSON = "个人"


@dataclass(frozen=True)
class Digest:
    """What one recipient is sent today: the items, and the text built from them."""

    kind: Kind
    name: str
    day: date
    items: tuple[DueItem, ...]

    @property
    def key(self) -> str:
        """The outbox's recipient key: kind and name (a person and a branch may
        share a name in principle)."""
        return f"{self.kind.value}:{self.name}"

    @property
    def title(self) -> str:
        late = sum(1 for i in self.items if i.urgency is Urgency.OVERDUE)
        head = f"支部工作提醒（{self.day.month}月{self.day.day}日）：{self.name}"
        tail = f"，{late} 项已逾期" if late else ""
        return f"{head}，{len(self.items)} 项待办{tail}"

    def text(self) -> str:
        """Plain text: the mail body, the text message."""
        lines = [self.title, ""]
        for section, items in _by_section(self.items):
            lines.append(f"【{section}】")
            lines += [f"· {_line(i, self.day)}" for i in items]
            lines.append("")
        lines.append("详情请在支部工作台（zhibu）中查看。")
        return "\n".join(lines)

    def markdown(self) -> str:
        """The robots' markdown (企业微信 and 钉钉 both read this subset).
        Item text is the app's own plain text; characters markdown would
        read as markup are shown full-width, so a name or topic is never markup."""
        lines = [f"### {_md(self.title)}", ""]
        for section, items in _by_section(self.items):
            lines.append(f"**{_md(section)}**")
            lines += [f"- {_md(_line(i, self.day))}" for i in items]
            lines.append("")
        lines.append("详情请在支部工作台（zhibu）中查看。")
        return "\n".join(lines)


def _by_section(items: Iterable[DueItem]) -> list[tuple[str, list[DueItem]]]:
    grouped: dict[str, list[DueItem]] = {}
    for i in items:
        grouped.setdefault(i.section, []).append(i)
    return list(grouped.items())


def _line(item: DueItem, today: date) -> str:
    late = item.days_overdue(today)
    if item.urgency is Urgency.OVERDUE and late and "逾期" not in item.text:
        return f"{item.text}（已逾期 {late} 天）"
    return item.text


# Characters the robots' markdown reads as markup, shown as their full-width
# forms: a backslash escape is not honoured by every client (it would show).
_MD_SAFE = str.maketrans("\\`*_[]<>#|~", "＼｀＊＿［］＜＞＃｜～")


def _md(text: str) -> str:
    return text.translate(_MD_SAFE)


def wanted(item: DueItem) -> bool:
    """Due or late: what a reminder is for (the home screen's informational
    lines, e.g. a branch's size notes, are not)."""
    return item.urgency >= Urgency.DUE


def digests(
    items: Sequence[DueItem],
    today: date,
    config: RemindConfig,
    *,
    to: str | None = None,
    unconfigured: bool = False,
) -> list[Digest]:
    """One digest per configured recipient that has something due: a branch
    gets every item of the branch, a person the items they are responsible
    for. *unconfigured*: also everyone the items name who has no channel
    (``--dry-run`` shows what they would get). *to*: only that name."""
    due = [i for i in items if wanted(i)]
    branches = [r.name for r in config.branches]
    people = [r.name for r in config.people]
    if unconfigured:
        branches += [i.branch for i in due if i.branch]
        people += [i.owner for i in due if i.owner]
    out: list[Digest] = []
    for kind, names in ((Kind.BRANCH, branches), (Kind.PERSON, people)):
        for name in dict.fromkeys(names):
            if to is not None and name != to:
                continue
            mine = tuple(i for i in due if (i.branch if kind is Kind.BRANCH else i.owner) == name)
            if mine:
                out.append(Digest(kind=kind, name=name, day=today, items=mine))
    return out


def recipient(config: RemindConfig, digest: Digest) -> Recipient | None:
    pool = config.branches if digest.kind is Kind.BRANCH else config.people
    return next((r for r in pool if r.name == digest.name), None)


def known_names(config: RemindConfig) -> set[str]:
    return {r.name for r in (*config.branches, *config.people)}


# --- 钉钉 加签 -------------------------------------------------------------------


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """钉钉's signature: HMAC-SHA256 keyed with the secret over
    "timestamp\\nsecret", base64, then URL-encoded (UTF-8) for the ``sign``
    query parameter (docs/REMINDERS.md#钉钉)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(webhook: str, secret: str, timestamp_ms: int) -> str:
    """*webhook* with ``timestamp`` and ``sign`` appended (unchanged without a secret)."""
    if not secret:
        return webhook
    sep = "&" if urllib.parse.urlsplit(webhook).query else "?"
    return f"{webhook}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(timestamp_ms, secret)}"
