"""Issue 16 item 5: the home draft list names each draft once, Del discards it
(after asking), and old drafts leave 今日 but stay under `d`."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Static

from domain.drafts import DraftsConfig
from screens.dialogs import YesNoPrompt
from screens.drafts import DraftList, DraftsScreen
from screens.followups.quick import QuickFileScreen
from screens.home import HomeScreen
from services.draft_keeper import DraftKeeper
from storage import drafts
from tests.factories import TODAY


def _labels(lst: DraftList) -> list[str]:
    return [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]


def _age(store, key: str, days: int) -> None:  # type: ignore[no-untyped-def]
    stamp = (TODAY - timedelta(days=days)).isoformat() + "T08:00:00"
    with store.write() as c:
        c.execute("UPDATE drafts SET updated_at=? WHERE key=?", (stamp, key))


async def test_quick_file_draft_label_names_the_kind_once_and_the_person(
    make_demo_app, demo_store
) -> None:
    """Failed before: 「一人一事登记：一人一事登记：新工人」."""
    app = make_demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, QuickFileScreen)
        await pilot.press(*"新工人", "enter")
        await pilot.pause()
        await pilot.press("enter")  # ＋ 新增
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        labels = [x for x in _labels(app.screen.query_one("#draft-list", DraftList)) if "新工人" in x]
        assert len(labels) == 1
        label = labels[0]
        assert label.count("一人一事登记") == 1
        assert label.startswith("一人一事登记：新工人")
        assert "本会话" in label
        row = demo_store.query_one("SELECT updated_at FROM drafts WHERE workflow='followup'")
        assert row["updated_at"][5:16].replace("T", " ") in label


async def test_del_on_a_home_draft_asks_then_discards_it(make_demo_app, demo_store) -> None:
    """Failed before: Del on the draft list did nothing."""
    app = make_demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.drafts.touch("person", "new", "王小明", {"values": {"name": "王小明"}})
        assert app.drafts.flush()
        app.screen.refresh_data()
        await pilot.pause()
        lst = app.screen.query_one("#draft-list", DraftList)
        index = next(i for i, x in enumerate(_labels(lst)) if "王小明" in x)
        lst.focus()
        lst.highlighted = index
        await pilot.pause()
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"继续草稿", "放弃草稿"} <= shown  # the footer offers Enter and Del on the list
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, YesNoPrompt)
        assert "放弃这份草稿？" in str(app.screen.query_one(Static).render())
        await pilot.press("enter")  # 否 is first: a stray Enter keeps it
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert drafts.load(demo_store, "person", "new") == {"values": {"name": "王小明"}}
        await pilot.press("delete", "down", "enter")  # 是，放弃
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert drafts.load(demo_store, "person", "new") is None
        assert not any("王小明" in x for x in _labels(lst))
        app.drafts.flush()  # nothing pending writes it back
        assert drafts.load(demo_store, "person", "new") is None


async def test_old_drafts_leave_home_but_are_listed_and_discarded_under_d(
    make_demo_app, demo_store
) -> None:
    app = make_demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.drafts.touch("person", "old", "陈旧稿", {"values": {"name": "陈旧稿"}})
        app.drafts.touch("person", "new", "新近稿", {"values": {"name": "新近稿"}})
        assert app.drafts.flush()
        _age(demo_store, "old", 31)
        _age(demo_store, "new", 29)
        app.screen.refresh_data()
        await pilot.pause()
        home = _labels(app.screen.query_one("#draft-list", DraftList))
        assert any("新近稿" in x for x in home)
        assert not any("陈旧稿" in x for x in home)
        title = str(app.screen.query_one("#draft-title", Static).render())
        assert "另有 1 份，按 d 查看全部" in title
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DraftsScreen)
        lst = app.screen.query_one(DraftList)
        every = _labels(lst)
        assert any("陈旧稿" in x for x in every) and any("新近稿" in x for x in every)
        assert lst.has_focus
        lst.highlighted = next(i for i, x in enumerate(every) if "陈旧稿" in x)
        await pilot.press("delete", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DraftsScreen)
        assert drafts.load(demo_store, "person", "old") is None
        assert not any("陈旧稿" in x for x in _labels(lst))
        assert drafts.load(demo_store, "person", "new") is not None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "另有" not in str(app.screen.query_one("#draft-title", Static).render())


def test_the_home_age_limit_is_configuration(demo_store) -> None:
    keeper = DraftKeeper(demo_store, lambda _d, _f: None, config=DraftsConfig(home_max_age_days=60))
    keeper.touch("person", "old", "陈旧稿", {"values": {}})
    assert keeper.flush()
    _age(demo_store, "old", 45)
    assert [d.key for d in keeper.listing(TODAY) if d.key == "old"] == ["old"]
    short = DraftKeeper(demo_store, lambda _d, _f: None, config=DraftsConfig(home_max_age_days=30))
    assert [d.key for d in short.listing(TODAY) if d.key == "old"] == []
    assert "old" in [d.key for d in short.listing()]


def test_a_title_saved_with_its_kind_is_shown_with_the_kind_once() -> None:
    from domain.drafts import draft_label

    label = draft_label("一人一事登记", "一人一事登记：张三", "2026-11-20T09:30:00", "本会话")
    assert label == "一人一事登记：张三 · 11-20 09:30 · 本会话"


def test_the_home_list_shows_the_newest_few(demo_store) -> None:
    """Failed before: every draft of every session stayed on 今日."""
    keeper = DraftKeeper(demo_store, lambda _d, _f: None, config=DraftsConfig(home_max_count=3))
    for i in range(6):
        keeper.touch("person", f"p{i}", f"人{i}", {"values": {}})
    assert keeper.flush()
    total = int(demo_store.scalar("SELECT count(*) FROM drafts"))
    assert len(keeper.listing(TODAY)) == 3
    assert keeper.left_out(TODAY) == total - 3
    assert len(keeper.listing()) == total
