"""`zhibu remind`: each configured 党支部 or person gets a digest of what is
due or late, through the channels the ``[remind]`` config names.

What is due is the home screen's own computation (services.home.due_items,
over every branch and without its caps): follow-ups, courseware and
lectures, the meetings the rules require, 发展党员 dates and every other
workflow registered there, the 问题清单 and the 党总支's tasks included
(storage.loop_home). A new workflow joins the digests by registering its
home lines in services.home.due_items with ``owner`` and ``branch`` set:
there is no second list to extend.

Private 一人一事 details never leave the machine: the list is read as
nobody (services.private_details), so a private case says only 保密事项.

Sends go through the outbox (storage.remind_outbox): once per recipient,
channel and day; a failed send is recorded and retried by a later run.
No transaction is open while a message is on the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.reminders import (
    CHANNEL_CN,
    Channel,
    Digest,
    Recipient,
    RemindConfig,
    SmtpConfig,
    digests,
    known_names,
    recipient,
)
from services.errors import InvalidInput, NotFound, storage_errors

if TYPE_CHECKING:
    from domain.branch_rules import BranchRuleConfig
    from storage.db import Store

Sender = Callable[[Channel, Recipient, Digest, "SmtpConfig | None", float], None]


class Result(StrEnum):
    SENT = "已发送"
    ALREADY = "今天已发送过"
    WAITING = "等待重试"
    FAILED = "发送失败，下次运行时重试"
    GAVE_UP = "多次发送失败，今天不再重试"
    DRY_RUN = "试运行，未发送"
    NO_CHANNEL = "未配置渠道，不会发送"


@dataclass(frozen=True)
class Outcome:
    digest: Digest
    channel: Channel | None
    result: Result
    error: str = ""

    def line(self) -> str:
        via = f" → {CHANNEL_CN[self.channel]}" if self.channel else ""
        why = f"：{self.error}" if self.error else ""
        return f"{self.result.value}：{self.digest.kind.value} {self.digest.name}{via}{why}"


@dataclass(frozen=True)
class Report:
    digests: list[Digest]
    outcomes: list[Outcome]

    @property
    def failed(self) -> bool:
        return any(o.result in (Result.FAILED, Result.GAVE_UP) for o in self.outcomes)


# --- the run --------------------------------------------------------------------


def plan(
    store: Store,
    today: dt.date,
    config: RemindConfig,
    *,
    to: str | None = None,
    unconfigured: bool = False,
    branch_rules: BranchRuleConfig | None = None,
) -> list[Digest]:
    """Today's digests, from the home screen's due items read as nobody
    (*branch_rules*: the config file's 换届 and size rules, as 今日 uses)."""
    from services.home import due_items
    from services.private_details import Reader

    with storage_errors():
        items = due_items(store, today, who=Reader(), everything=True, branch_rules=branch_rules)
    out = digests(items, today, config, to=to, unconfigured=unconfigured)
    if to is not None and not out and to not in known_names(config):
        if not any(to in (i.owner, i.branch) for i in items):
            raise NotFound(f"没有叫「{to}」的接收人（配置中没有，待办事项中也没有）")
    return out


def run(
    store: Store,
    today: dt.date,
    config: RemindConfig,
    *,
    to: str | None = None,
    dry_run: bool = False,
    now: Callable[[], dt.datetime] = dt.datetime.now,
    sender: Sender | None = None,
    branch_rules: BranchRuleConfig | None = None,
) -> Report:
    """Send (or, *dry_run*, only list) today's digests."""
    if sender is None:
        from services.remind_send import send

        sender = send
    if to is not None and not dry_run and to not in known_names(config):
        raise NotFound(f"「{to}」不在配置的接收人中（[[remind.branches]] 或 [[remind.people]]）")
    todo = plan(store, today, config, to=to, unconfigured=dry_run, branch_rules=branch_rules)
    outcomes: list[Outcome] = []
    if dry_run:
        for d in todo:
            r = recipient(config, d)
            channels = r.channels() if r else []
            if not channels:
                outcomes.append(Outcome(d, None, Result.NO_CHANNEL))
            outcomes += [Outcome(d, c, Result.DRY_RUN) for c in channels]
        return Report(todo, outcomes)

    from storage import remind_outbox as outbox

    with storage_errors():
        outbox.supersede_earlier(store, today)
    for d in todo:
        r = recipient(config, d)
        for channel in r.channels() if r else []:
            assert r is not None
            body = d.text()
            with storage_errors():
                claimed = outbox.claim(store, today, d.key, channel.value, body, now())
            if not claimed:
                outcomes.append(Outcome(d, channel, _why_not(store, today, d, channel)))
                continue
            error = _attempt(sender, channel, r, d, config)
            if error:
                with storage_errors():
                    status = outbox.mark_failed(
                        store, today, d.key, channel.value, error,
                        next_try=now() + dt.timedelta(minutes=config.retry_after_minutes),
                        max_attempts=config.max_attempts,
                    )  # fmt: skip
                gave_up = status is outbox.Status.GAVE_UP
                outcomes.append(
                    Outcome(d, channel, Result.GAVE_UP if gave_up else Result.FAILED, error)
                )
                continue
            with storage_errors():
                outbox.mark_sent(store, today, d.key, channel.value, now())
            outcomes.append(Outcome(d, channel, Result.SENT))
    return Report(todo, outcomes)


def _attempt(
    sender: Sender, channel: Channel, r: Recipient, d: Digest, config: RemindConfig
) -> str:
    """Send once: '' when it went, else the reason to record."""
    from services.remind_send import SendFailed

    try:
        sender(channel, r, d, config.smtp, config.timeout_seconds)
    except SendFailed as e:
        return str(e)
    except Exception as e:  # noqa: BLE001 - one broken channel must not stop the others
        return f"意外错误（{type(e).__name__}）"
    return ""


def _why_not(store: Store, today: dt.date, d: Digest, channel: Channel) -> Result:
    from storage import remind_outbox as outbox

    row = next(
        (x for x in outbox.rows(store, today) if x.recipient == d.key and x.channel == channel),
        None,
    )
    if row is None or row.status is outbox.Status.SENT:
        return Result.ALREADY
    if row.status is outbox.Status.GAVE_UP:
        return Result.GAVE_UP
    return Result.WAITING


def require_config(config: RemindConfig) -> None:
    """A real send needs someone to send to: the config file's ``[remind]``."""
    if not (config.branches or config.people):
        raise InvalidInput(
            "配置文件中没有提醒的接收人：请在 [remind] 一节加上 [[remind.branches]] 或"
            " [[remind.people]]（见 zhibu help config 和 docs/REMINDERS.md）；"
            "只看提醒内容可加 --dry-run"
        )
