"""Run `zhibu` with proposed changes patched in, to measure them before anyone edits.

  whatif.py --patch no_blink,lazy_sqlite_utils -- --db DB
  run.py --whatif no_blink,lazy_sqlite_utils       # the whole bench, patched

Each patch imitates a change recommended in bench/RESULTS.md for a file the
bench does not own; with no patch this is exactly bin/zhibu.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def no_blink() -> None:
    """Input.cursor_blink = False app-wide (today only tests/conftest.py does it)."""
    from textual.widgets import Input

    Input.cursor_blink = False  # type: ignore[assignment]


def lazy_sqlite_utils() -> None:
    """storage.db imports sqlite_utils only when Store.db is first used."""
    import types

    class Lazy(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            import importlib

            del sys.modules["sqlite_utils"]
            real = importlib.import_module("sqlite_utils")
            return getattr(real, name)

    sys.modules["sqlite_utils"] = Lazy("sqlite_utils")
    import storage.db as db

    def conn(self):  # type: ignore[no-untyped-def]
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._connect()
            self._local.conn = c
        return c

    def database(self):  # type: ignore[no-untyped-def]
        import sqlite_utils

        if getattr(self._local, "db", None) is None:
            self._local.db = sqlite_utils.Database(self.conn)
        return self._local.db

    db.Store.conn = property(conn)  # type: ignore[method-assign,assignment]
    db.Store.db = property(database)  # type: ignore[method-assign,assignment]


def no_startup_quick_check() -> None:
    """open_store without PRAGMA quick_check on every start (daily or in a thread instead)."""
    import storage.db as db

    if hasattr(db, "preflight"):
        db.preflight = lambda path: None  # type: ignore[assignment]


def single_home_load() -> None:
    """HomeScreen loads its data once at start: on_mount, not again on the first ScreenResume."""
    from screens.home import HomeScreen

    mount, resume = HomeScreen.on_mount, HomeScreen.on_screen_resume

    def on_mount(self):  # type: ignore[no-untyped-def]
        self._just_mounted = True
        return mount(self)

    def on_screen_resume(self):  # type: ignore[no-untyped-def]
        if getattr(self, "_just_mounted", False):
            self._just_mounted = False
            return None
        return resume(self)

    HomeScreen.on_mount = on_mount  # type: ignore[method-assign]
    HomeScreen.on_screen_resume = on_screen_resume  # type: ignore[method-assign]


def defer_due() -> None:
    """The home screen paints branches first and fills 待办 right after the first frame."""
    from screens.home import HomeScreen

    fill = HomeScreen._fill_due

    def _fill_due(self, store, branches):  # type: ignore[no-untyped-def]
        self.call_after_refresh(fill, self, store, branches)

    HomeScreen._fill_due = _fill_due  # type: ignore[method-assign]


def search_two_phase() -> None:
    """storage.people.search ranks on person_keys first and joins people for 50 ids only."""
    from storage import people

    original = people.search

    def search(store, text, *, branch_id=None, members_only=False, limit=30):  # type: ignore[no-untyped-def]
        if branch_id or members_only:
            return original(
                store, text, branch_id=branch_id, members_only=members_only, limit=limit
            )
        q = people.normalise_query(text)
        if not q:
            return []
        params = {"q": q, "hi": q + people._TOP, "limit": limit}
        rows = store.query(
            "WITH hits AS (SELECT person_id, MIN(rank) AS _rank, MAX(key = :q) AS _exact"
            "  FROM person_keys WHERE key >= :q AND key < :hi GROUP BY person_id),"
            " top AS (SELECT h.person_id, h._rank, h._exact, length(p.name) AS len,"
            "  p.sort_key AS sk, p.name AS nm FROM hits h JOIN people p ON p.id = h.person_id"
            "  ORDER BY h._exact DESC, h._rank, len, sk, nm LIMIT :limit)"
            " SELECT p.* FROM top JOIN people p ON p.id = top.person_id"
            " ORDER BY top._exact DESC, top._rank, top.len, top.sk, top.nm",
            params,
        )
        found = [people._to_person(r) for r in rows]
        if people.has_cjk(q) and len(found) < limit:
            seen = {p.id for p in found}
            params["like"] = f"%{q}%"
            params["limit"] = limit - len(found) + len(seen)
            for r in store.query(
                "SELECT p.* FROM people p WHERE p.name LIKE :like"
                " ORDER BY length(p.name), p.sort_key LIMIT :limit",
                params,
            ):
                if r["id"] not in seen and len(found) < limit:
                    found.append(people._to_person(r))
        return found

    people.search = search  # type: ignore[assignment]


def fast_docx_table() -> None:
    """exports.docx_common.add_table sets each cell paragraph's style id directly and
    reads row.cells once per row: python-docx's Paragraph.style setter looks up the
    default style by XPath on every call (~0.7 ms), and row.cells/col.cells rebuild
    the grid on every access. Same XML out."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    import exports.docx_common as dc

    def add_table(doc, rows, *, header=True, widths_mm=None):  # type: ignore[no-untyped-def]
        if not rows:
            raise ValueError("table needs at least one row")
        ncols = max(len(r) for r in rows)
        if ncols == 0:
            raise ValueError("table needs at least one column")
        table = doc.add_table(rows=len(rows), cols=ncols)
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        dc._set_table_borders(table)
        widths = None
        if widths_mm is not None:
            if len(widths_mm) != ncols:
                raise ValueError("widths_mm must give one width per column")
            table.autofit = False
            widths = [Mm(w) for w in widths_mm]
            for col, w in zip(table.columns, widths, strict=True):
                col.width = w
        style_id = doc.styles[dc.TABLE_TEXT_STYLE].style_id
        for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
            cells = row.cells
            if widths is not None:
                for cell, w in zip(cells, widths, strict=True):
                    cell.width = w
            if values and len(values) < ncols:
                cells[len(values) - 1].merge(cells[ncols - 1])
                cells = row.cells
            for c, value in enumerate(values):
                cell = cells[c]
                cell.text = dc.xml_safe(value)
                for p in cell.paragraphs:
                    p._p.style = style_id
                    if header and r == 0:
                        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                        for run in p.runs:
                            run.bold = True
            if header and r == 0:
                dc._repeat_as_header(row)
        return table

    dc.add_table = add_table
    for name in ("exports.minutes", "exports.rota_plan", "exports.ledger"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "add_table"):
            module.add_table = add_table  # type: ignore[attr-defined]


def color_256() -> None:
    """TEXTUAL_COLOR_SYSTEM=256: shorter colour escapes than truecolor on the wire."""
    import os

    os.environ["TEXTUAL_COLOR_SYSTEM"] = "256"


def fps_120() -> None:
    """TEXTUAL_FPS=120: a change waits at most 8 ms for the next frame, not 17."""
    import os

    os.environ["TEXTUAL_FPS"] = "120"


def roster_rows_20() -> None:
    """The roster asks search() for 20 rows, not 50 (about 15 fit at 80×24)."""
    from storage import people

    search = people.search

    def limited(store, text, *, limit=30, **kw):  # type: ignore[no-untyped-def]
        return search(store, text, limit=min(limit, 20), **kw)

    people.search = limited  # type: ignore[assignment]


def roster_search_worker() -> None:
    """The roster runs search() in a thread worker; the echo never waits for SQL."""
    from screens.roster import RosterScreen
    from storage import people
    from widgets.safe import text

    reload = RosterScreen.reload

    def threaded(self):  # type: ignore[no-untyped-def]
        if not self.searching:
            return reload(self)
        query, store = self.searching, self.app.store

        def apply(rows):  # type: ignore[no-untyped-def]
            if query != self.searching:
                return  # a later key has started its own search
            self._fill(rows)
            more = "（仅显示前 50）" if len(rows) == 50 else ""
            self.query_one("#roster-status").update(text(f"搜索“{query}”：{len(rows)} 人{more}"))

        def work() -> None:
            rows = people.search(store, query, limit=50)
            self.app.call_from_thread(apply, rows)

        self.run_worker(
            work, thread=True, exclusive=True, group="roster-search", exit_on_error=False
        )
        return None

    RosterScreen.reload = threaded  # type: ignore[method-assign]


def pydantic_defer_build() -> None:
    """Models are built on first use, not at import: model_config defer_build=True on the
    domain base configs (here set on BaseModel itself, before any domain import)."""
    import pydantic

    pydantic.BaseModel.model_config["defer_build"] = True


def app_css_only() -> None:
    """Only tui/app.tcss at start; each workflow's tui/css/*.tcss would come with its screens."""
    import tui.app

    tui.app.ZhibuApp.CSS_PATH = [tui.app.ZhibuApp.CSS_PATH[0]]  # type: ignore[misc]


def gc_freeze() -> None:
    """After the warm-up imports, move every object alive to the permanent
    generation, so full collections no longer walk the start-up heap."""
    import gc

    import screens.home

    warm = screens.home._import_workflows

    def warm_then_freeze() -> None:
        warm()
        gc.freeze()

    screens.home._import_workflows = warm_then_freeze  # type: ignore[assignment]


PATCHES: dict[str, Callable[[], None]] = {
    f.__name__: f
    for f in (
        color_256,  # first: Textual reads it when imported
        fps_120,
        pydantic_defer_build,  # before any domain model is defined
        no_blink,
        lazy_sqlite_utils,
        no_startup_quick_check,
        single_home_load,
        defer_due,
        search_two_phase,
        roster_rows_20,
        roster_search_worker,
        fast_docx_table,
        app_css_only,
        gc_freeze,
    )
}


def main() -> int:
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    names: list[str] = []
    opts = argv[:cut]
    if opts[:1] == ["--patch"] and len(opts) > 1:
        names = [n for n in opts[1].split(",") if n]
    for name in names:
        if name not in PATCHES:
            print(f"whatif: unknown patch {name!r}; known: {', '.join(PATCHES)}", file=sys.stderr)
            return 2
    for name in sorted(names, key=list(PATCHES).index):  # wrappers apply in a fixed order
        PATCHES[name]()
    from tui.cli import main as zhibu_main

    sys.argv = ["zhibu", *argv[cut + 1 :]]
    return zhibu_main()


if __name__ == "__main__":
    sys.exit(main())
