"""The app on a PostgreSQL database, started as `zhibu` starts it on a file.

  pg_app.py postgresql://user@/db?host=/run/pg --dir FOLDER

The CLI takes a file path only (tui/cli.py run_app), so the bench's
PostgreSQL phase starts the app here: the same settings, frame rate,
terminal hardening and frozen heap as tui.cli.run_app, with the store opened
from the URL (storage.db.open_store) instead of the file. FOLDER stands in
for the file's folder: drafts spill, crash logs and stale temps go there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("url")
    ap.add_argument("--dir", type=Path, required=True)
    args = ap.parse_args(argv)
    from storage.db import open_store
    from tui.cli import _quiet_unraisable, frame_rate, load

    sys.unraisablehook = _quiet_unraisable
    db_path = args.dir / "zhibu.db"  # never created: the data is on the server
    settings = load(argparse.Namespace(db=str(db_path), theme=None))
    store = open_store(args.url)
    frame_rate()
    from tui.app import make_app
    from tui.terminal import harden_terminal

    harden_terminal()
    app = make_app(db_path, store=store, settings=settings)
    app.freeze_heap_after_warm_up = True
    app.run()
    store.close()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
