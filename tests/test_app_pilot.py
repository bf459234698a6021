"""Drive the app by keys at 80×24 and assert on what reached SQLite or the screen."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from screens.help import HelpScreen
from screens.roster.person_form import PersonForm
from screens.roster.roster import RosterScreen
from storage import drafts, org, people


async def test_home_shows_branches_and_title(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "支部工作台" in app.title
        table = app.screen.query_one("#compliance-table", DataTable)
        assert table.row_count == 4
        names = [str(table.get_row_at(i)[0]) for i in range(4)]
        assert names[0] == "采油一队党支部"
        head = str(app.screen.query_one("#home-head").render())
        assert "4 个支部 · 120 人" in head


async def test_add_person_by_keys_lands_in_sqlite(make_demo_app, demo_store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RosterScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PersonForm)
        await pilot.press(*"[/]测试员")
        # phone is the 10th field: Tab through sex, status, branch, group, post, team, job, shift
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab")
        await pilot.press(*"yunwei", "tab", *"caiyou", "tab", "tab", *"13800001111")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RosterScreen)
    row = demo_store.query_one("SELECT * FROM people WHERE name='[/]测试员'")
    assert row is not None
    assert row["phone"] == "13800001111"
    assert row["team"] == "yunwei" and row["job"] == "caiyou"
    branch = org.get(demo_store, row["branch_id"])
    assert branch.name == "采油一队党支部"
    assert [d for d in drafts.list_mine(demo_store) if d.workflow == "person"] == []


async def test_form_errors_shown_per_field_and_nothing_saved(make_demo_app, demo_store) -> None:
    app = make_demo_app()
    before = people.count_all(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-phone", Input).value = "电话号码"
        form.query_one("#f-birth_date", Input).value = "2026-02-30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PersonForm)
        errors = {w.id: str(w.render()) for w in form.query(".field-error.-shown")}
        assert "不能为空" in errors["e-name"]
        assert "请选择支部" in errors["e-branch_id"]
        assert "电话只能是数字" in errors["e-phone"]
        assert "没有这一天" in errors["e-birth_date"]
    assert people.count_all(demo_store) == before


async def test_draft_saved_as_typed_and_restored(make_demo_app, demo_store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"草稿人")
        await pilot.pause(0.8)  # past the debounce
        saved = drafts.load(demo_store, "person", "new")
        assert saved["values"]["name"] == "草稿人"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PersonForm)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("d", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonForm)
        assert app.screen.query_one("#f-name", Input).value == "草稿人"


async def test_edit_person_and_search_by_pinyin(make_demo_app, demo_store) -> None:
    branch = org.branches(demo_store)[0]
    target = people.list_branch(demo_store, branch.id)[12]
    initials = [
        k
        for k, r in __import__("domain.search_keys").search_keys.person_keys(target.name)
        if r == 2
    ][0]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("/", *target.name)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#people-table", DataTable)
        assert str(table.get_row_at(0)[0]) == target.name
        await pilot.press("escape")  # clear search
        app.screen.query_one("#roster-search", Input).value = initials
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        keys = [str(k.value) for k in table.rows]
        assert target.id in keys
        table.move_cursor(row=keys.index(target.id))
        table.focus()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PersonForm)
        app.screen.query_one("#f-job", Input).value = "测井工"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert people.get(demo_store, target.id).job == "测井工"


async def test_help_lists_keys_of_the_screen(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        described = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"搜索", "新增", "编辑", "调动", "帮助", "退出"} <= described
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RosterScreen)


async def test_import_screen_previews_then_imports(make_demo_app, demo_store, tmp_path) -> None:
    csv = tmp_path / "new.csv"
    csv.write_text(
        "姓名,政治面貌,支部\n导入甲,群众,机关维修党支部\n导入乙,入党积极分子,机关维修党支部\n",
        encoding="utf-8-sig",
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        await pilot.press(*str(csv), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "检查通过：2 人" in str(app.screen.query_one("#import-summary").render())
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    rows = demo_store.query("SELECT name FROM people WHERE name LIKE '导入%' ORDER BY name")
    assert [r["name"] for r in rows] == ["导入乙", "导入甲"]


async def test_markup_in_names_renders_literally(make_demo_app, demo_store) -> None:
    branch = org.branches(demo_store)[0]
    from domain.people import Person

    nasty = ["[/]张三", "[b]x", "[link=x]y[/link]", "[@click=app.quit]x[/]", "[$accent]y", "a\\b"]
    for name in nasty:
        people.save(demo_store, Person(name=name, branch_id=branch.id))
    app = make_demo_app()
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        table = app.screen.query_one("#people-table", DataTable)
        shown = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert set(nasty) <= shown
        painted = "\n".join(table.render_line(y).text for y in range(table.size.height))
        for name in nasty:
            assert name[:6] in painted  # name column is 8 cells wide
        assert app.is_running


async def test_person_picker_by_initials(make_demo_app, demo_store) -> None:
    from widgets.person_picker import NewPerson, PickPersonScreen

    branch = org.branches(demo_store)[1]
    target = people.list_branch(demo_store, branch.id)[3]
    initials = [
        k
        for k, r in __import__("domain.search_keys").search_keys.person_keys(target.name)
        if r == 2
    ][0]
    results: list = []
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(PickPersonScreen(branch_id=branch.id), results.append)
        await pilot.pause()
        await pilot.press(*initials)
        await pilot.pause()
        lst = app.screen.query_one("#pick-results")
        ids = [lst.get_option_at_index(i).id for i in range(lst.option_count)]
        assert target.id in ids
        for _ in range(ids.index(target.id)):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        app.push_screen(PickPersonScreen(allow_new=True), results.append)
        await pilot.pause()
        await pilot.press(*"新来的人", "enter")
        await pilot.pause()
    assert results[0].id == target.id
    assert results[1] == NewPerson("新来的人")


async def test_slash_and_query_in_one_packet_all_go_to_the_search(make_demo_app) -> None:
    """Over a slow link "/zhang" arrives at once; no letter may trigger a key."""
    from textual import events

    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        table = app.screen.query_one("#people-table")
        table.focus()
        await pilot.pause()
        for ch in "/zhang":  # queued before any of them is handled
            table.post_message(events.Key("slash" if ch == "/" else ch, ch))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, RosterScreen)  # 'a' did not open the add form
        assert app.screen.query_one("#roster-search", Input).value == "zhang"
