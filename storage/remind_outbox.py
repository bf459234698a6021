"""The reminders' outbox (table remind_outbox, migration m016): one row per
recipient, channel and day, claimed before a send and marked after it.

Each step is its own short BEGIN IMMEDIATE transaction, never held over the
network, so the app's saves never wait on a slow robot or mail server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from storage.db import Store

# A claim older than this is from a run that died mid-send: free to take again.
STALE_CLAIM = dt.timedelta(minutes=10)
ERROR_LIMIT = 500  # characters of the last error kept


class Status(StrEnum):
    PENDING = "pending"  # not sent yet, or failed and to be retried
    SENDING = "sending"  # claimed by a run now sending it
    SENT = "sent"
    GAVE_UP = "gave_up"  # failed max_attempts times this day
    SUPERSEDED = "superseded"  # a pending row of an earlier day: today's digest replaces it


@dataclass(frozen=True)
class OutboxRow:
    day: dt.date
    recipient: str
    channel: str
    status: Status
    attempts: int
    last_error: str
    next_try: dt.datetime | None
    sent_at: dt.datetime | None


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


def supersede_earlier(store: Store, day: dt.date) -> int:
    """Rows of earlier days never sent: today's digest carries what is still due."""
    with store.write() as c:
        cur = c.execute(
            "UPDATE remind_outbox SET status=? WHERE day<? AND status IN (?,?)",
            (Status.SUPERSEDED.value, day.isoformat(), Status.PENDING.value,
             Status.SENDING.value),
        )  # fmt: skip
        return cur.rowcount


def claim(
    store: Store, day: dt.date, recipient: str, channel: str, body: str, now: dt.datetime
) -> bool:
    """Take the (day, recipient, channel) row for sending, creating it if
    new. False when it was sent already, given up, claimed by another live
    run, or waiting for its next try."""
    with store.write() as c:
        row = c.execute(
            "SELECT status, next_try, claimed_at FROM remind_outbox"
            " WHERE day=? AND recipient=? AND channel=?",
            (day.isoformat(), recipient, channel),
        ).fetchone()
        if row is None:
            c.execute(
                "INSERT INTO remind_outbox(day, recipient, channel, status, body, claimed_at,"
                " created_at) VALUES (?,?,?,?,?,?,?)",
                (day.isoformat(), recipient, channel, Status.SENDING.value, body, _iso(now),
                 _iso(now)),
            )  # fmt: skip
            return True
        status, next_try, claimed_at = row
        if status in (Status.SENT.value, Status.GAVE_UP.value):
            return False
        if (
            status == Status.SENDING.value
            and claimed_at
            and (now - dt.datetime.fromisoformat(claimed_at) < STALE_CLAIM)
        ):
            return False
        if (
            status == Status.PENDING.value
            and next_try
            and now < dt.datetime.fromisoformat(next_try)
        ):
            return False
        c.execute(
            "UPDATE remind_outbox SET status=?, body=?, claimed_at=?"
            " WHERE day=? AND recipient=? AND channel=?",
            (Status.SENDING.value, body, _iso(now), day.isoformat(), recipient, channel),
        )
        return True


def mark_sent(store: Store, day: dt.date, recipient: str, channel: str, now: dt.datetime) -> None:
    with store.write() as c:
        c.execute(
            "UPDATE remind_outbox SET status=?, attempts=attempts+1, sent_at=?, next_try=NULL,"
            " claimed_at=NULL WHERE day=? AND recipient=? AND channel=?",
            (Status.SENT.value, _iso(now), day.isoformat(), recipient, channel),
        )


def mark_failed(
    store: Store,
    day: dt.date,
    recipient: str,
    channel: str,
    error: str,
    *,
    next_try: dt.datetime,
    max_attempts: int,
) -> Status:
    """Count the failed try; the row waits for *next_try*, or is given up
    after *max_attempts*. Returns the row's new status."""
    with store.write() as c:
        c.execute(
            "UPDATE remind_outbox SET attempts=attempts+1, last_error=?, next_try=?,"
            " claimed_at=NULL, status=CASE WHEN attempts+1 >= ? THEN ? ELSE ? END"
            " WHERE day=? AND recipient=? AND channel=?",
            (error[:ERROR_LIMIT], _iso(next_try), max_attempts, Status.GAVE_UP.value,
             Status.PENDING.value, day.isoformat(), recipient, channel),
        )  # fmt: skip
        status = c.execute(
            "SELECT status FROM remind_outbox WHERE day=? AND recipient=? AND channel=?",
            (day.isoformat(), recipient, channel),
        ).fetchone()[0]
    return Status(status)


def rows(store: Store, day: dt.date | None = None) -> list[OutboxRow]:
    """The outbox, one day's or all, in the order rows were made."""
    where, params = ("WHERE day=?", (day.isoformat(),)) if day else ("", ())
    return [
        OutboxRow(
            day=dt.date.fromisoformat(r["day"]),
            recipient=r["recipient"],
            channel=r["channel"],
            status=Status(r["status"]),
            attempts=r["attempts"],
            last_error=r["last_error"],
            next_try=dt.datetime.fromisoformat(r["next_try"]) if r["next_try"] else None,
            sent_at=dt.datetime.fromisoformat(r["sent_at"]) if r["sent_at"] else None,
        )
        for r in store.query(
            "SELECT day, recipient, channel, status, attempts, last_error, next_try, sent_at"
            f" FROM remind_outbox {where} ORDER BY id",
            params,
        )
    ]
