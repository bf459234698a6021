"""Startup of zhibu with and without proposed changes, interleaved in one run.

  .venv/bin/python bench/ab.py --people 1000 --people 50000 \\
      --variant none --variant no_startup_quick_check --variant app_css_only,pydantic_defer_build

Each variant is a comma-separated list of bench/whatif.py patches ("none" for
the code as it is); every round runs every variant at every size in a shuffled
order, so a busy machine slows them all alike. Prints one JSON object: median
wall and CPU seconds per variant and size, and the minimal app's as baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import run
from pty_term import Term


def launcher(patches: list[str], db: Path):
    if not patches:
        return lambda: Term([str(run.ZHIBU), "--db", str(db)])
    cmd = [
        str(run.PY),
        str(run.BENCH / "whatif.py"),
        "--patch",
        ",".join(patches),
        "--",
        "--db",
        str(db),
    ]
    return lambda: Term(cmd)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--people", type=int, action="append", required=True)
    ap.add_argument("--variant", action="append", required=True)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--cache", type=Path, default=run.CACHE)
    a = ap.parse_args()
    variants = {v: [] if v == "none" else v.split(",") for v in a.variant}
    workdir = Path(tempfile.mkdtemp(prefix="zhibu-ab-"))
    launches: dict[str, run.Launch] = {"baseline": (run.minimal, (run.MINIMAL_READY,))}
    for n in a.people:
        db = run.working_copy(run.cached_db(n, a.cache), workdir, f"ab-{n}")
        home = run.needles(run.HOME, run.first_branch(db))
        for name, patches in variants.items():
            launches[f"{name}@{n}"] = (launcher(patches, db), home)
    runs = run.interleaved_runs(launches, a.reps)
    out = {
        key: {"wall_s": round(run.median_of(r, 0), 4), "cpu_s": round(run.median_of(r, 1), 3)}
        for key, r in runs.items()
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
