"""A throwaway PostgreSQL cluster for the suite, from the installed server.

``python -m tests.pg_cluster up`` prints a server URL: ZHIBU_TEST_PG_URL when
it is set and answers, else a cluster it starts (initdb into a temporary
folder, a Unix socket only, fsync off), reused while it runs. ``down`` stops
the cluster it started and removes its folder. With no server installed ``up``
prints nothing and the PostgreSQL tests report it (tests/conftest.py): they
fail under ZHIBU_REQUIRE_PG=1, as in CI (.ci/run), and are skipped otherwise.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

PORT = 5433
USER = "postgres"


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _home() -> Path:
    # One cluster per checkout, so two checkouts on one machine do not share one.
    key = hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:10]
    return Path(os.environ.get("TMPDIR", "/tmp")) / f"zhibu-pg-{os.getuid()}-{key}"


def _as_owner(owner: str | None) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the postgres account.
    return ["runuser", "-u", owner, "--"] if owner else []


def _owner() -> str | None:
    if os.getuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "nobody"
    return "postgres"


def url_for(home: Path, dbname: str = "postgres") -> str:
    return f"postgresql://{USER}@/{dbname}?host={home}&port={PORT}"


def _answers(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as c:
            c.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure: not usable
        return False


def up() -> str:
    given = os.environ.get("ZHIBU_TEST_PG_URL", "")
    if given and _answers(given):
        return given
    import fcntl

    # pytest-xdist workers may all ask at once: one starts it, the others wait.
    with open(_home().with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _up()


def _up() -> str:
    home = _home()
    url = url_for(home)
    if (home / "data" / "postmaster.pid").exists() and _answers(url):
        return url
    bin_dir = _bin_dir()
    if bin_dir is None:
        return ""
    owner = _owner()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(mode=0o700, parents=True)
    if owner:
        shutil.chown(home, owner)
    run = _as_owner(owner)
    subprocess.run(
        [*run, str(bin_dir / "initdb"), "-D", str(home / "data"), "-A", "trust", "-U", USER,
         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    opts = (
        f"-k {home} -c listen_addresses='' -p {PORT} -c fsync=off -c synchronous_commit=off"
        " -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB"
    )
    subprocess.run(
        [*run, str(bin_dir / "pg_ctl"), "-D", str(home / "data"), "-o", opts,
         "-l", str(home / "log"), "-w", "-t", "60", "start"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        if _answers(url):
            return url
        time.sleep(0.1)
    raise SystemExit(f"PostgreSQL did not start: see {home / 'log'}")


def down() -> None:
    home = _home()
    bin_dir = _bin_dir()
    if bin_dir is not None and (home / "data" / "postmaster.pid").exists():
        subprocess.run(
            [*_as_owner(_owner()), str(bin_dir / "pg_ctl"), "-D", str(home / "data"),
             "-m", "immediate", "stop"],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    if command == "up":
        print(up())
    elif command == "down":
        down()
    else:
        raise SystemExit("usage: python -m tests.pg_cluster up|down")
