"""Both engines in the suite: ``engine``, ``db_target`` and ``pg_url``.

A module or test marked ``both_engines`` runs once on SQLite and once on
PostgreSQL (ids ``[sqlite]`` / ``[postgresql]``); everything else, and a test
marked ``sqlite_only`` (what it checks is SQLite's own: PRAGMAs, query plans,
the file), runs on SQLite only. Each PostgreSQL test gets its own database, cloned from a
template that already holds the schema (CREATE DATABASE … TEMPLATE), on the
server of tests/pg_cluster.py. With no server: fail under ZHIBU_REQUIRE_PG=1
(CI), skip otherwise, saying why.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

ENGINES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker
    if "engine" in metafunc.fixturenames and marked("both_engines") and not marked("sqlite_only"):
        metafunc.parametrize("engine", ENGINES)


@pytest.fixture
def engine() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def pg_server() -> str:
    from tests import pg_cluster

    url = os.environ.get("ZHIBU_TEST_PG_URL", "")
    if not url:
        url = pg_cluster.up()
        if url:
            os.environ["ZHIBU_TEST_PG_URL"] = url  # children (the CLI) and later workers
    if not url:
        message = "没有可用的 PostgreSQL 服务器（未安装 postgresql，且未设 ZHIBU_TEST_PG_URL）"
        if os.environ.get("ZHIBU_REQUIRE_PG") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


def with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _template(server: str) -> str:
    """A database holding the current schema, built once per schema version
    (its name carries a hash of the schema module) by whichever worker comes first."""
    import psycopg

    from storage import pg_schema
    from storage.db import open_store

    name = f"zhibu_tpl_{pg_schema.SCHEMA_VERSION}_{_storage_digest()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(7242)")
        try:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname=%s", (name,)).fetchone():
                return name
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                open_store(with_database(server, name), actor="tester").close()
            except BaseException:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                raise
            return name
        finally:
            admin.execute("SELECT pg_advisory_unlock(7242)")


def _storage_digest() -> str:
    """Changes with any storage module (schema, demo builders): a template
    left by an earlier run of other code is not reused."""
    import storage

    h = hashlib.sha256()
    for path in sorted(Path(storage.__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def _demo_template(server: str, *, actor: str, today: date, people_count: int) -> str:
    import psycopg

    from storage.db import open_store
    from storage.demo import build_demo

    base = _template(server)
    name = f"zhibu_demo_{people_count}_{today:%Y%m%d}_{_storage_digest()}_{actor}"[:63]
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(7243)")
        try:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname=%s", (name,)).fetchone():
                return name
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
            try:
                store = open_store(with_database(server, name), actor=actor)
                try:
                    build_demo(store, people_count=people_count, today=today)
                finally:
                    store.close()
            except BaseException:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                raise
            return name
        finally:
            admin.execute("SELECT pg_advisory_unlock(7243)")


_TEMPLATES: dict[tuple[object, ...], str] = {}


def clone(server: str, template: str) -> str:
    """A new database copied from *template*; its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return with_database(server, name)


def drop(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    server = with_database(url, "postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_demo_url(server: str, *, actor: str, today: date, people_count: int = 120) -> str:
    """A private copy of the demo database (as tests.demo_cache.demo_db for a file)."""
    key = ("demo", server, actor, today, people_count)
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES[key] = _demo_template(
            server, actor=actor, today=today, people_count=people_count
        )
    return clone(server, template)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database with the schema, dropped after the test."""
    key = ("empty", pg_server)
    template = _TEMPLATES.get(key) or _TEMPLATES.setdefault(key, _template(pg_server))
    url = clone(pg_server, template)
    try:
        yield url
    finally:
        drop(url)


@pytest.fixture
def db_target(engine: str, db_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """Where the test's database is: the SQLite file path, or a PostgreSQL URL."""
    if engine == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    return db_path
