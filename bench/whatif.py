"""Run `zhibu` with proposed changes patched in, to measure them before anyone edits.

  whatif.py --patch app_css_only -- --db DB
  run.py --whatif app_css_only,pydantic_defer_build   # the whole bench, patched
  ab.py --people 1000 --variant none --variant app_css_only   # startup A/B

Each patch imitates a change not (yet) made, to measure it first; patches
for changes that have landed are removed (git log keeps their figures).
With no patch this is exactly bin/zhibu.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def no_startup_quick_check() -> None:
    """open_store without PRAGMA quick_check on every start (daily or in a thread instead)."""
    import storage.db as db

    if hasattr(db, "preflight"):
        db.preflight = lambda path: None


def color_256() -> None:
    """TEXTUAL_COLOR_SYSTEM=256: shorter colour escapes than truecolor on the wire."""
    import os

    os.environ["TEXTUAL_COLOR_SYSTEM"] = "256"


def pydantic_defer_build() -> None:
    """Models are built on first use, not at import: model_config defer_build=True on the
    domain base configs (here set on BaseModel itself, before any domain import)."""
    import pydantic

    pydantic.BaseModel.model_config["defer_build"] = True


def app_css_only() -> None:
    """Only tui/app.tcss at start; each workflow's tui/css/*.tcss would come with its screens."""
    import tui.app

    tui.app.ZhibuApp.CSS_PATH = [tui.app.ZhibuApp.CSS_PATH[0]]


PATCHES: dict[str, Callable[[], None]] = {
    f.__name__: f
    for f in (
        color_256,  # first: Textual reads it when imported
        pydantic_defer_build,  # before any domain model is defined
        no_startup_quick_check,
        app_css_only,
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
