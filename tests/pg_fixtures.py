"""Both engines in the suite: ``engine``, ``db_target`` and ``pg_url``.

A module or test marked ``both_engines`` runs once on SQLite and once on
PostgreSQL (ids ``[sqlite]`` / ``[postgresql]``); everything else runs on
SQLite only. Each PostgreSQL test gets its own database, cloned from a
template that already holds the schema (CREATE DATABASE … TEMPLATE), on the
server of tests/pg_cluster.py. With no server: fail under ZHIBU_REQUIRE_PG=1
(CI), skip otherwise, saying why.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ENGINES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_engines"
    ):
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

    from storage import pg_schema, sync_schema
    from storage.db import open_store

    # sync_schema's DDL is pg_schema's step 18: a change there is a new schema too
    source = b"".join(Path(m.__file__).read_bytes() for m in (pg_schema, sync_schema))
    digest = hashlib.sha256(source).hexdigest()[:10]
    name = f"zhibu_tpl_{pg_schema.SCHEMA_VERSION}_{digest}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(7242)")
        try:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname=%s", (name,)).fetchone():
                return name
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                _install(with_database(server, name))
                open_store(with_database(server, name), actor="tester").close()
            except BaseException:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                raise
            return name
        finally:
            admin.execute("SELECT pg_advisory_unlock(7242)")


def _install(url: str) -> None:
    """The schema through a connection with autocommit off, as
    pg_schema.install() requires (storage.pg.open_pg_store hands it its
    autocommit connection inside BEGIN, which install() refuses: reported to
    the lead; once open_store installs by itself this is a no-op)."""
    import psycopg

    from storage import pg_schema

    with psycopg.connect(url) as conn:
        pg_schema.install(conn)
        conn.commit()


_TEMPLATES: dict[str, str] = {}


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database with the schema, dropped after the test."""
    import psycopg

    template = _TEMPLATES.get(pg_server) or _TEMPLATES.setdefault(pg_server, _template(pg_server))
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield with_database(pg_server, name)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_target(engine: str, db_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """Where the test's database is: the SQLite file path, or a PostgreSQL URL."""
    if engine == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    return db_path
