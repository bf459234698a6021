"""Schema migrations keyed by PRAGMA user_version.

All pending migrations and the user_version bump run inside one BEGIN
IMMEDIATE transaction: a crash leaves the file at the old version with the old
schema or at the new version with everything, never in between. An existing
database is backed up (online backup API) before any migration touches it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from domain.org_codes import OrgKind
from storage.errors import SchemaTooNewError


class MigratingStore(Protocol):
    """What migrate() needs of storage.db.Store (which imports this module,
    so this module names only the shape)."""

    @property
    def conn(self) -> sqlite3.Connection: ...

    @property
    def path(self) -> Path: ...

    def write(self) -> AbstractContextManager[sqlite3.Connection]: ...


Migration = Callable[[sqlite3.Connection], None]
_BRANCH = OrgKind.BRANCH.value

META = """
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
"""


def run_script(c: sqlite3.Connection, script: str) -> None:
    """executescript() would COMMIT our BEGIN IMMEDIATE; run statements one by one."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            c.execute(buf)
            buf = ""
    if buf.strip():
        c.execute(buf)


def m001_initial(c: sqlite3.Connection) -> None:
    run_script(
        c,
        f"""
        CREATE TABLE org_units (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            parent_id TEXT REFERENCES org_units(id),
            shift_pattern TEXT,
            sort_order INTEGER NOT NULL DEFAULT 0,
            {META}
        );
        CREATE INDEX org_units_parent ON org_units(parent_id, sort_order);

        CREATE TABLE people (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            sex TEXT,
            birth_date TEXT,
            status TEXT NOT NULL,
            branch_id TEXT REFERENCES org_units(id),
            group_id TEXT REFERENCES org_units(id),
            post TEXT,
            team TEXT NOT NULL DEFAULT '',
            job TEXT NOT NULL DEFAULT '',
            shift TEXT,
            phone TEXT NOT NULL DEFAULT '',
            joined_party TEXT,
            confirmed_on TEXT,
            on_party_probation INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT '',
            sort_key TEXT NOT NULL DEFAULT '',  -- full pinyin: lists sort as people expect
            {META}
        );
        CREATE INDEX people_branch ON people(branch_id, name);
        CREATE INDEX people_group ON people(group_id);
        CREATE INDEX people_post ON people(post) WHERE post IS NOT NULL;

        -- Search keys: full pinyin, initials, given-name pinyin, the name itself.
        -- Prefix search is a range scan on this index, never a Python loop.
        CREATE TABLE person_keys (
            key TEXT NOT NULL,
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            PRIMARY KEY (key, person_id)
        ) WITHOUT ROWID;
        CREATE INDEX person_keys_person ON person_keys(person_id);

        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_record ON audit(record_id);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

        CREATE TABLE drafts (
            owner TEXT NOT NULL,
            workflow TEXT NOT NULL,
            key TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (owner, workflow, key)
        );

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            {META}
        );

        -- OS account -> roster person (privacy rules need to know who is looking).
        CREATE TABLE accounts (
            os_user TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people(id),
            {META}
        );

        CREATE TABLE meetings (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            org_id TEXT NOT NULL REFERENCES org_units(id),
            date TEXT NOT NULL,
            status TEXT NOT NULL,
            supersedes_id TEXT REFERENCES meetings(id),
            superseded INTEGER NOT NULL DEFAULT 0,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX meetings_org_date ON meetings(org_id, date);
        CREATE INDEX meetings_status_date ON meetings(status, date);

        CREATE TABLE action_items (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            meeting_id TEXT REFERENCES meetings(id),
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            owner_id TEXT,
            owner_name TEXT NOT NULL DEFAULT '',
            deadline TEXT,
            closed_at TEXT,
            {META}
        );
        CREATE INDEX action_items_open ON action_items(closed_at, deadline);

        CREATE TABLE rota_plans (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES org_units(id),
            period TEXT NOT NULL,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX rota_plans_org ON rota_plans(org_id, period);

        CREATE TABLE lectures (
            id TEXT PRIMARY KEY,
            plan_id TEXT REFERENCES rota_plans(id),
            date TEXT NOT NULL,
            lecturer_id TEXT,
            state TEXT NOT NULL,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX lectures_date ON lectures(date);
        CREATE INDEX lectures_plan ON lectures(plan_id, date);

        CREATE TABLE followups (
            id TEXT PRIMARY KEY,
            branch_id TEXT REFERENCES org_units(id),
            person_id TEXT REFERENCES people(id),
            responsible_id TEXT REFERENCES people(id),
            status TEXT NOT NULL,
            level TEXT NOT NULL,
            found_on TEXT NOT NULL,
            next_contact TEXT,
            private INTEGER NOT NULL DEFAULT 0,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX followups_due ON followups(status, next_contact);
        CREATE INDEX followups_branch ON followups(branch_id, found_on);
        CREATE INDEX followups_responsible ON followups(responsible_id, status);

        -- Per-branch editable data: trigger catalogues, procedure templates.
        CREATE TABLE branch_templates (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES org_units(id),
            kind TEXT NOT NULL,           -- 'triggers' or a meeting kind
            data TEXT NOT NULL,
            {META}
        );
        CREATE UNIQUE INDEX branch_templates_key ON branch_templates(org_id, kind);

        CREATE TABLE dues (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people(id),
            branch_id TEXT REFERENCES org_units(id),
            month TEXT NOT NULL,          -- YYYY-MM-01
            data TEXT NOT NULL,
            {META}
        );
        CREATE UNIQUE INDEX dues_person_month ON dues(person_id, month);
        CREATE INDEX dues_branch_month ON dues(branch_id, month);
        """,
    )


def m002_audit_no_replace(c: sqlite3.Connection) -> None:
    # INSERT OR REPLACE deletes the old row without firing audit_no_delete
    # (recursive_triggers is off), so refuse an insert that reuses a seq.
    run_script(
        c,
        """
        CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
            WHEN NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
            BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
        """,
    )


def m003_counters(c: sqlite3.Connection) -> None:
    # The home screen's head count must not scan 50,000 people at start-up:
    # triggers keep the totals as rows are added and removed.
    run_script(
        c,
        f"""
        CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO counters VALUES
            ('people', (SELECT count(*) FROM people)),
            ('branches', (SELECT count(*) FROM org_units WHERE kind='{_BRANCH}'));
        CREATE TRIGGER counters_people_ins AFTER INSERT ON people
            BEGIN UPDATE counters SET n = n + 1 WHERE name = 'people'; END;
        CREATE TRIGGER counters_people_del AFTER DELETE ON people
            BEGIN UPDATE counters SET n = n - 1 WHERE name = 'people'; END;
        CREATE TRIGGER counters_branch_ins AFTER INSERT ON org_units WHEN NEW.kind = '{_BRANCH}'
            BEGIN UPDATE counters SET n = n + 1 WHERE name = 'branches'; END;
        CREATE TRIGGER counters_branch_del AFTER DELETE ON org_units WHEN OLD.kind = '{_BRANCH}'
            BEGIN UPDATE counters SET n = n - 1 WHERE name = 'branches'; END;
        -- one OS account per person: the privacy rule trusts this mapping
        CREATE UNIQUE INDEX accounts_person ON accounts(person_id);
        -- the home screen looks up each branch's secretary
        CREATE INDEX people_branch_post ON people(branch_id, post) WHERE post IS NOT NULL;
        CREATE TRIGGER counters_branch_kind AFTER UPDATE OF kind ON org_units
            BEGIN UPDATE counters SET n = (SELECT count(*) FROM org_units WHERE kind = '{_BRANCH}')
                  WHERE name = 'branches'; END;
        """,
    )


def m004_corrections(c: sqlite3.Connection) -> None:
    # A correction is a version: one current record per superseded id, and one
    # open correction per record, with who started it and when.
    run_script(
        c,
        """
        -- Older files may hold two current corrections of one record (two
        -- sessions both corrected it): keep the newest current, as the list did.
        UPDATE meetings SET superseded = 1
            WHERE supersedes_id IS NOT NULL AND superseded = 0 AND EXISTS (
                SELECT 1 FROM meetings n
                WHERE n.supersedes_id = meetings.supersedes_id AND n.superseded = 0
                  AND (n.created_at > meetings.created_at
                       OR (n.created_at = meetings.created_at AND n.id > meetings.id)));
        CREATE UNIQUE INDEX meetings_current_correction
            ON meetings(supersedes_id, superseded) WHERE superseded = 0;
        CREATE TABLE corrections (
            supersedes_id TEXT PRIMARY KEY REFERENCES meetings(id),
            draft_id TEXT NOT NULL UNIQUE,
            base_version INTEGER NOT NULL,
            started_by TEXT NOT NULL,
            started_at TEXT NOT NULL
        );
        """,
    )


def m005_make_ups(c: sqlite3.Connection) -> None:
    # 补学 done: when, how and who checked it, one per 补学 action item.
    run_script(
        c,
        f"""
        CREATE TABLE make_ups (
            id TEXT PRIMARY KEY,
            action_id TEXT NOT NULL UNIQUE REFERENCES action_items(id),
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            person_id TEXT NOT NULL,
            done_on TEXT NOT NULL,
            method TEXT NOT NULL,
            checked_by TEXT NOT NULL,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX make_ups_meeting ON make_ups(meeting_id);
        CREATE INDEX action_items_kind_open ON action_items(kind, closed_at, meeting_id);
        """,
    )


def m006_draft_sessions(c: sqlite3.Connection) -> None:
    # A draft belongs to one session (account, terminal, start time): two
    # sessions of one OS account must never write the same row. Rows from
    # before this migration get session '' (an ended session).
    run_script(
        c,
        """
        CREATE TABLE drafts_new (
            owner TEXT NOT NULL,
            session TEXT NOT NULL DEFAULT '',
            terminal TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL DEFAULT '',
            workflow TEXT NOT NULL,
            key TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (owner, session, workflow, key)
        );
        INSERT INTO drafts_new(owner, workflow, key, title, data, updated_at)
            SELECT owner, workflow, key, title, data, updated_at FROM drafts;
        DROP TABLE drafts;
        ALTER TABLE drafts_new RENAME TO drafts;
        CREATE INDEX drafts_key ON drafts(owner, workflow, key);
        """,
    )


def m007_audit_content(c: sqlite3.Connection) -> None:
    # Each audit row carries the hash of its record's new content, so an edit
    # behind the app's back shows in `zhibu check` (storage.audit).
    c.execute("ALTER TABLE audit ADD COLUMN content_hash TEXT NOT NULL DEFAULT ''")


def m008_roles(c: sqlite3.Connection) -> None:
    # Roles are granted data (docs/SECURITY.md): grants keep their row when
    # revoked (revoked_at/by), one live 书记 per branch, a mapping request
    # waits for approval, a PIN is a salted scrypt hash whose failures and
    # lockout live here so restarting the app does not reset them.
    run_script(
        c,
        """
        CREATE TABLE role_grants (
            id TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            person_id TEXT REFERENCES people(id),
            role TEXT NOT NULL,
            branch_id TEXT REFERENCES org_units(id),
            granted_by TEXT NOT NULL,
            granted_at TEXT NOT NULL,
            revoked_by TEXT,
            revoked_at TEXT
        );
        CREATE INDEX role_grants_account ON role_grants(account) WHERE revoked_at IS NULL;
        CREATE UNIQUE INDEX role_grants_live
            ON role_grants(account, role, coalesce(branch_id, '')) WHERE revoked_at IS NULL;
        CREATE UNIQUE INDEX role_grants_one_secretary
            ON role_grants(branch_id) WHERE role = '书记' AND revoked_at IS NULL;

        CREATE TABLE account_requests (
            id TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            person_id TEXT NOT NULL REFERENCES people(id),
            branch_id TEXT REFERENCES org_units(id),
            status TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT
        );
        CREATE UNIQUE INDEX account_requests_pending
            ON account_requests(account) WHERE status = '待批准';
        CREATE INDEX account_requests_branch ON account_requests(branch_id, status);

        CREATE TABLE account_pins (
            account TEXT PRIMARY KEY,
            salt BLOB NOT NULL,
            hash BLOB NOT NULL,
            params TEXT NOT NULL,
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT
        );
        """,
    )


def m009_shared_accounts(c: sqlite3.Connection) -> None:
    # An OS account used by several people (docs/SECURITY.md#shared-accounts):
    # it acts as nobody until a person signs in with their personal PIN, whose
    # hash and lockout live in account_pins under the person's key.
    run_script(
        c,
        """
        CREATE TABLE shared_accounts (
            account TEXT PRIMARY KEY,
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL
        );
        """,
    )


def m010_holidays_and_term(c: sqlite3.Connection) -> None:
    # holiday_arrangements: the State Council's 放假安排 the user loaded, one row
    # per year, kept as the text they loaded (domain.holidays.parse_arrangement)
    # so it reads back exactly. branch_terms: a branch's own last-election date
    # and term length, for branches whose election predates the app's meetings.
    run_script(
        c,
        """
        CREATE TABLE holiday_arrangements (
            year INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE branch_terms (
            branch_id TEXT PRIMARY KEY REFERENCES org_units(id),
            last_election_on TEXT,
            term_years INTEGER
        );
        """,
    )


def m011_development(c: sqlite3.Connection) -> None:
    # 发展党员 (docs/RULES.md#发展党员): one record per person, one row per
    # dated stage. The record row carries the stage reached and the dates the
    # home screen filters on, worked out by domain.development when a stage
    # is recorded, so 今日 answers from an index without loading the rules.
    run_script(
        c,
        f"""
        CREATE TABLE development_records (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL UNIQUE REFERENCES people(id),
            person_name TEXT NOT NULL,
            branch_id TEXT REFERENCES org_units(id),
            stage TEXT,
            report_due TEXT,
            activist_year_on TEXT,
            approval_due TEXT,
            probation_end TEXT,
            probation_warn_from TEXT,
            {META}
        );
        CREATE INDEX development_records_branch ON development_records(branch_id, stage);

        CREATE TABLE development_events (
            id TEXT PRIMARY KEY,
            record_id TEXT NOT NULL REFERENCES development_records(id),
            person_id TEXT NOT NULL REFERENCES people(id),
            stage TEXT NOT NULL,
            on_date TEXT NOT NULL,
            meeting_id TEXT,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX development_events_record ON development_events(record_id, on_date);
        """,
    )


def m012_assessment(c: sqlite3.Connection) -> None:
    # 党员考核 (docs/ASSESSMENT.md): each member's 先锋岗/责任区 承诺, its
    # quarterly review, and manual score adjustments with their reason. The
    # scores themselves are computed from the records on every view.
    run_script(
        c,
        f"""
        CREATE TABLE assessment_pledges (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL UNIQUE REFERENCES people(id),
            branch_id TEXT NOT NULL REFERENCES org_units(id),
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX assessment_pledges_branch ON assessment_pledges(branch_id);

        CREATE TABLE assessment_reviews (
            id TEXT PRIMARY KEY,
            pledge_id TEXT NOT NULL REFERENCES assessment_pledges(id),
            person_id TEXT NOT NULL REFERENCES people(id),
            branch_id TEXT NOT NULL REFERENCES org_units(id),
            quarter TEXT NOT NULL,
            data TEXT NOT NULL,
            {META},
            UNIQUE (pledge_id, quarter)
        );
        CREATE INDEX assessment_reviews_branch ON assessment_reviews(branch_id, quarter);

        CREATE TABLE assessment_adjustments (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people(id),
            branch_id TEXT NOT NULL REFERENCES org_units(id),
            quarter TEXT NOT NULL,
            points INTEGER NOT NULL,
            reason TEXT NOT NULL,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX assessment_adjustments_branch ON assessment_adjustments(branch_id, quarter);
        """,
    )


def m013_sittings(c: sqlite3.Connection) -> None:
    # Organisational life by shift (docs/SITTINGS.md): the stations a 支委
    # visits per branch, and the 交接班活动 of 三班倒 branches. The sittings of
    # a meeting live in the meeting's own JSON.
    run_script(
        c,
        f"""
        CREATE TABLE branch_stations (
            id TEXT PRIMARY KEY REFERENCES org_units(id),
            data TEXT NOT NULL,
            {META}
        );
        CREATE TABLE handovers (
            id TEXT PRIMARY KEY,
            branch_id TEXT NOT NULL REFERENCES org_units(id),
            date TEXT NOT NULL,
            shift TEXT NOT NULL,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX handovers_branch_date ON handovers(branch_id, date);
        """,
    )


def m014_problems_and_tasks(c: sqlite3.Connection) -> None:
    # 问题清单 (problems filed from meetings, inspections, 隐患排查) and the
    # 党总支's tasks with each branch's report. Stored whole as JSON in data;
    # the columns the home screen and the lists filter on sit alongside.
    run_script(
        c,
        f"""
        CREATE TABLE problems (
            id TEXT PRIMARY KEY,
            branch_id TEXT NOT NULL REFERENCES org_units(id),
            state TEXT NOT NULL,
            deadline TEXT,
            found_on TEXT NOT NULL,
            meeting_id TEXT,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX problems_branch_state ON problems(branch_id, state, deadline);
        CREATE INDEX problems_state_deadline ON problems(state, deadline);
        CREATE TABLE tasks (
            id TEXT PRIMARY KEY,
            general_id TEXT NOT NULL REFERENCES org_units(id),
            due TEXT NOT NULL,
            data TEXT NOT NULL,
            {META}
        );
        CREATE INDEX tasks_due ON tasks(due);
        CREATE TABLE task_branches (
            task_id TEXT NOT NULL REFERENCES tasks(id),
            branch_id TEXT NOT NULL REFERENCES org_units(id),
            PRIMARY KEY (task_id, branch_id)
        );
        CREATE INDEX task_branches_branch ON task_branches(branch_id);
        CREATE TABLE task_reports (
            id TEXT PRIMARY KEY,
            task_id TEXT NOT NULL REFERENCES tasks(id),
            branch_id TEXT NOT NULL REFERENCES org_units(id),
            done INTEGER NOT NULL DEFAULT 0,
            data TEXT NOT NULL,
            {META}
        );
        CREATE UNIQUE INDEX task_reports_one ON task_reports(task_id, branch_id);
        """,
    )


def m015_remind_outbox(c: sqlite3.Connection) -> None:
    # zhibu remind (docs/REMINDERS.md): one row per recipient, channel and day.
    # The row is claimed before a send and marked after it, each in its own
    # short transaction, so no write lock is held over the network; a failed
    # send stays 'pending' with its error and next try for the next run, and
    # UNIQUE(day, recipient, channel) is what keeps a sent digest from going
    # out twice the same day. Addresses and secrets stay in the config file.
    run_script(
        c,
        """
        CREATE TABLE remind_outbox (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            recipient TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            body TEXT NOT NULL DEFAULT '',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            next_try TEXT,
            claimed_at TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE(day, recipient, channel)
        );
        CREATE INDEX remind_outbox_status ON remind_outbox(status, day);
        """,
    )


def m016_history_indexes(c: sqlite3.Connection) -> None:
    # Screens about this period must not read every year: indexes that let the
    # per-branch lookups seek (first meeting, last election, a meeting's
    # items) instead of walking all finished meetings or all closed items,
    # unpaid dues have their own index, and a trigger-kept count of finished
    # meetings serves the meetings list.
    done = "已完成"  # MeetingStatus.FINISHED, spelled out: migrations are frozen
    run_script(
        c,
        f"""
        CREATE INDEX meetings_org_status_date ON meetings(org_id, status, date);
        CREATE INDEX meetings_kind_org_date ON meetings(kind, org_id, date);
        CREATE INDEX action_items_meeting ON action_items(meeting_id, kind);
        -- the home screen's arrears: only the unpaid records of the window
        -- (the WHERE is storage.dues_sql.UNPAID_SQL, which must match it)
        CREATE INDEX dues_unpaid ON dues(branch_id, month)
            WHERE NOT json_extract(data, '$.waived')
            AND json_extract(data, '$.paid_fen') < json_extract(data, '$.due_fen');
        INSERT INTO counters VALUES ('finished_meetings',
            (SELECT count(*) FROM meetings WHERE status = '{done}' AND superseded = 0));
        CREATE TRIGGER counters_meetings_ins AFTER INSERT ON meetings
            WHEN NEW.status = '{done}' AND NEW.superseded = 0
            BEGIN UPDATE counters SET n = n + 1 WHERE name = 'finished_meetings'; END;
        CREATE TRIGGER counters_meetings_del AFTER DELETE ON meetings
            WHEN OLD.status = '{done}' AND OLD.superseded = 0
            BEGIN UPDATE counters SET n = n - 1 WHERE name = 'finished_meetings'; END;
        CREATE TRIGGER counters_meetings_old AFTER UPDATE OF status, superseded ON meetings
            WHEN OLD.status = '{done}' AND OLD.superseded = 0
            BEGIN UPDATE counters SET n = n - 1 WHERE name = 'finished_meetings'; END;
        CREATE TRIGGER counters_meetings_new AFTER UPDATE OF status, superseded ON meetings
            WHEN NEW.status = '{done}' AND NEW.superseded = 0
            BEGIN UPDATE counters SET n = n + 1 WHERE name = 'finished_meetings'; END;
        """,
    )


def m017_people_branch_counts(c: sqlite3.Connection) -> None:
    # 今日's branch sizes (storage.branch_home.facts) count status and post per
    # branch: a covering index, so the count never reads the people rows.
    run_script(c, "CREATE INDEX people_branch_status_post ON people(branch_id, status, post);")


def m018_sync(c: sqlite3.Connection) -> None:
    # Site -> 党委 sync (docs/SYNC.md): the hub's record of sites, their audit
    # rows and the origin of each record, and triggers that keep site records
    # read-only at the hub. The DDL lives in storage/sync_schema.py, shared
    # with the PostgreSQL step; frozen here as of this version.
    from storage.sync_schema import sqlite_ddl

    for statement in sqlite_ddl():
        c.execute(statement)


def m019_private_details_rls(c: sqlite3.Connection) -> None:
    # Nothing to do on SQLite: this number is PostgreSQL's row-level security
    # on private follow-up details (storage/pg_schema.py _PRIVATE_DETAILS_RLS),
    # and a SQLite file has no roles to hold to it (docs/SECURITY.md#postgresql).
    # Kept so both engines share one schema version number.
    del c


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_audit_no_replace,
    m003_counters,
    m004_corrections,
    m005_make_ups,
    m006_draft_sessions,
    m007_audit_content,
    m008_roles,
    m009_shared_accounts,
    m010_holidays_and_term,
    m011_development,
    m012_assessment,
    m013_sittings,
    m014_problems_and_tasks,
    m015_remind_outbox,
    m016_history_indexes,
    m017_people_branch_counts,
    m018_sync,
    m019_private_details_rls,
]
SCHEMA_VERSION = len(MIGRATIONS)


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Online backup (consistent even while others write), file 0600."""
    import os

    from storage.paths import ensure_private_file

    if target.exists():
        target.unlink()
    ensure_private_file(target)
    dst = sqlite3.connect(str(target))
    try:
        conn.backup(dst)
    finally:
        dst.close()
    os.chmod(target, 0o600)
    return target


def migrate(store: MigratingStore) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found."""
    conn = store.conn
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"数据库结构版本 {found} 比本程序支持的 {SCHEMA_VERSION} 新，请升级 zhibu。"
        )
    if found == SCHEMA_VERSION:
        return found
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if found > 0 or has_tables:
        backup_to(conn, store.path.with_name(store.path.name + f".v{found}.bak"))
    with store.write() as c:
        # Re-read under the write lock: another process may have migrated
        # between our first look and BEGIN IMMEDIATE.
        current = c.execute("PRAGMA user_version").fetchone()[0]
        for version in range(current, SCHEMA_VERSION):
            MIGRATIONS[version](c)
        if current < SCHEMA_VERSION:
            c.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return found
