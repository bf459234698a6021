"""R1/R2 (issue 14): drafts belong to a session; a save and its draft discard are one
transaction.

One OS account used by two sessions at once (common on site servers) must not
share draft rows; a kill between a save and its draft discard must not leave
both (resuming would save the person a second time).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import Input, OptionList

from screens.dialogs import ChoicePrompt
from screens.roster.person_form import PersonForm
from services.draft_keeper import DraftKeeper
from storage import drafts, people
from storage.db import open_store
from tests.reliability_helpers import TODAY, demo_db


def _keeper(store) -> DraftKeeper:  # type: ignore[no-untyped-def]
    return DraftKeeper(store, lambda _delay, _fn: None)


def test_two_sessions_of_one_account_keep_separate_drafts(tmp_path: Path) -> None:
    """Failed before: both sessions wrote the row (owner, workflow, key); the last won."""
    db = tmp_path / "s.db"
    sa, sb = open_store(db, actor="shared"), open_store(db, actor="shared")
    try:
        a, b = _keeper(sa), _keeper(sb)
        a.touch("meeting", "m1", "会议", {"text": "甲的记录"})
        b.touch("meeting", "m1", "会议", {"text": "乙的记录"})
        assert a.flush() and b.flush()
        assert a.load("meeting", "m1") == {"text": "甲的记录"}
        assert b.load("meeting", "m1") == {"text": "乙的记录"}
        assert sa.scalar("SELECT count(*) FROM drafts WHERE key='m1'") == 2
        # B finishing (discarding its draft) leaves A's alone.
        b.discard("meeting", "m1")
        a._pending.clear()
        assert a.load("meeting", "m1") == {"text": "甲的记录"}
        # A running session's draft is never taken silently …
        c = _keeper(sb)
        assert c.load("meeting", "m1") is None
        # … only explicitly, and then it is C's and no longer A's.
        assert c.take_over("meeting", "m1", a.session.id)
        assert c.load("meeting", "m1") == {"text": "甲的记录"}
        assert drafts.load(sa, "meeting", "m1", a.session.id) is None
        # A session that has ended leaves its drafts to the account's next one.
        c.touch("person", "new", "张三", {"values": {"name": "张三"}})
        c.end()
        d = _keeper(sa)
        assert d.load("person", "new") == {"values": {"name": "张三"}}
    finally:
        sa.close()
        sb.close()


async def test_home_lists_who_and_when_and_asks_before_taking_over(tmp_path: Path) -> None:
    """Two apps, one account: B's home names A's draft as another session's; choosing
    it asks; taking over shows A's text in B's form and moves the row to B."""
    from tui.app import make_app

    db = tmp_path / "data" / "two.db"
    demo_db(db)
    sa, sb = open_store(db, actor="shared"), open_store(db, actor="shared")
    a, b = make_app(db, store=sa, today=TODAY), make_app(db, store=sb, today=TODAY)
    try:
        async with a.run_test(size=(100, 30)) as pa:
            await pa.press("a")
            await pa.pause()
            await pa.press(*"甲会话")
            await pa.pause()
            assert a.drafts.flush()
            async with b.run_test(size=(100, 30)) as pb:
                await pb.pause()
                lst = b.screen.query_one("#draft-list", OptionList)
                labels = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
                mine = [x for x in labels if "甲会话" in x]
                assert len(mine) == 1 and "另一会话" in mine[0]
                assert a.drafts.session.started_at[5:16].replace("T", " ") in mine[0]
                index = labels.index(mine[0])
                lst.focus()
                lst.highlighted = index
                await pb.press("enter")
                await pb.pause()
                assert isinstance(b.screen, ChoicePrompt)
                await pb.press("enter")  # 接管并继续
                await pb.pause()
                assert isinstance(b.screen, PersonForm)
                assert b.screen.query_one("#f-name", Input).value == "甲会话"
                rows = sb.query("SELECT session FROM drafts WHERE workflow='person' AND key='new'")
                assert [r["session"] for r in rows] == [b.drafts.session.id]
    finally:
        sa.close()
        sb.close()


def _statements(conn: sqlite3.Connection) -> list[str]:
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    return seen


async def test_person_form_save_discards_its_draft_in_the_same_transaction(
    tmp_path: Path,
) -> None:
    """Failed before: the person was committed, then the draft deleted in a second
    transaction; a kill (or a lock holder) between them left both."""
    from tui.app import make_app

    db = tmp_path / "data" / "tx.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    app = make_app(db, store=store, today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r")  # from the roster: the branch is filled in
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            await pilot.press(*"事务张")
            await pilot.pause()
            assert app.drafts.flush()
            seen = _statements(store.conn)
            await pilot.press("ctrl+s")
            await pilot.pause()
            store.conn.set_trace_callback(None)
            assert not isinstance(app.screen, PersonForm)
        txs: list[list[str]] = []
        for s in seen:
            if s.startswith("BEGIN"):
                txs.append([])
            if txs:
                txs[-1].append(s)
        with_person = [t for t in txs if any("INSERT INTO people" in s for s in t)]
        assert len(with_person) == 1
        assert any("DELETE FROM drafts" in s for s in with_person[0])
        assert not [t for t in txs if t not in with_person and any("drafts" in s for s in t)]
        assert store.scalar("SELECT count(*) FROM people WHERE name='事务张'") == 1
        assert store.scalar("SELECT count(*) FROM drafts WHERE workflow='person'") == 0
    finally:
        store.close()


def test_save_with_a_draft_ref_is_all_or_nothing(tmp_path: Path) -> None:
    """The draft goes only with a committed save; a failed save keeps it."""
    from domain.people import Person

    db = tmp_path / "p.db"
    store = open_store(db, actor="tester")
    try:
        k = _keeper(store)
        k.touch("person", "new", "李四", {"values": {"name": "李四"}})
        assert k.flush()
        ref = k.ref("person", "new")
        p = people.save(store, Person(name="李四"), draft=ref)
        assert drafts.load(store, "person", "new") is None
        k.touch("person", p.id, "李四", {"values": {"name": "李四改"}})
        assert k.flush()
        stale = p.model_copy(update={"version": 99})
        try:
            people.save(store, stale, draft=k.ref("person", p.id))
        except Exception:  # noqa: BLE001 - a refused save of any kind
            pass
        assert drafts.load(store, "person", p.id) == {"values": {"name": "李四改"}}
    finally:
        store.close()
