"""Private 一人一事 details: the one rule (every role combination), the readers
that apply it, and a scan of the code that fails when a module reads
follow-ups without going through services.private_details."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from domain import followups as fx
from domain.followups import Actor, FollowUpConfig
from domain.people import CommitteePost, PoliticalStatus
from services import private_details as pd
from services.private_details import SECRETARY, Reader
from storage import accounts
from storage import followups as fu_store
from storage.accounts import Viewer
from storage.followups import ListQuery, Scope
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

ROOT = Path(__file__).resolve().parent.parent
CONFIG = FollowUpConfig()
SECRET = "妻子住院手术，借了外债"

# --- the rule, every role combination ------------------------------------------

B1, B2 = "branch-1", "branch-2"
RESP = "resp"
# (who, details of a private case of B1 carried by RESP shown?)
KINDS: dict[str, tuple[Reader, bool]] = {
    "nobody (unmapped account)": (Reader("", frozenset(), pin_ok=True), False),
    "an unrelated member": (Reader("m", frozenset({("党员", B1)}), pin_ok=True), False),
    "the responsible member": (Reader(RESP, frozenset({("党员", B1)}), pin_ok=True), True),
    "书记 of the branch": (Reader("sec1", frozenset({(SECRETARY, B1)}), pin_ok=True), True),
    "书记 of another branch": (Reader("sec2", frozenset({(SECRETARY, B2)}), pin_ok=True), False),
    "支委 of the branch": (Reader("zw", frozenset({("支委", B1)}), pin_ok=True), False),
    "管理员": (Reader("adm", frozenset({("管理员", "general")}), pin_ok=True), False),
    "书记 who is also responsible": (
        Reader(RESP, frozenset({(SECRETARY, B1)}), pin_ok=True),
        True,
    ),
    "书记 of both branches": (
        Reader("sec", frozenset({(SECRETARY, B1), (SECRETARY, B2)}), pin_ok=True),
        True,
    ),
    "a 书记 role with no branch": (Reader("x", frozenset({(SECRETARY, "")}), pin_ok=True), False),
}


@pytest.mark.parametrize("private", [True, False], ids=["private", "not private"])
@pytest.mark.parametrize("pin_ok", [True, False], ids=["pin ok", "no pin"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_rule_for_every_role_combination(kind: str, pin_ok: bool, private: bool) -> None:
    who, sees_private = KINDS[kind]
    who = Reader(who.person_id, who.roles, pin_ok=pin_ok)
    got = pd.may_see(who, private=private, branch_id=B1, responsible_id=RESP)
    if not private:
        assert got, "a case not marked private is shown to everyone"
    elif not pin_ok:
        assert not got, "nobody sees private details before proving who they are"
    else:
        assert got is sees_private


def test_internal_export_needs_the_secretary_role_of_every_branch() -> None:
    sec1 = KINDS["书记 of the branch"][0]
    pd.check_internal(sec1, [(B1, "一支部")])
    with pytest.raises(pd.Refused, match="二支部"):
        pd.check_internal(sec1, [(B1, "一支部"), (B2, "二支部")])
    for kind in ("the responsible member", "支委 of the branch", "管理员", "nobody (unmapped account)"):
        with pytest.raises(pd.Refused, match="只能由本支部书记导出"):
            pd.check_internal(KINDS[kind][0], [(B1, "一支部")])
    no_pin = Reader(sec1.person_id, sec1.roles, pin_ok=False)
    with pytest.raises(pd.Refused):
        pd.check_internal(no_pin, [(B1, "一支部")])


def test_an_identity_with_granted_roles_feeds_the_rule() -> None:
    """The seam for granted roles: person, grants and PIN state map onto the rule."""
    from dataclasses import dataclass
    from enum import StrEnum

    class Role(StrEnum):
        SECRETARY = "书记"
        ADMIN = "管理员"

    @dataclass
    class Grant:
        role: Role
        branch_id: str | None

    @dataclass
    class Identity:
        acting_person_id: str | None
        grants: tuple[Grant, ...]
        proven: bool

    sec = pd.from_acting_identity(Identity("sec1", (Grant(Role.SECRETARY, B1),), True))
    assert sec == Reader("sec1", frozenset({(SECRETARY, B1)}), pin_ok=True)
    assert pd.may_see(sec, private=True, branch_id=B1, responsible_id=RESP)
    unproved = pd.from_acting_identity(Identity(None, (Grant(Role.SECRETARY, B1),), False))
    assert not pd.may_see(unproved, private=True, branch_id=B1, responsible_id=RESP)
    admin = pd.from_acting_identity(Identity("adm", (Grant(Role.ADMIN, None),), True))
    assert not pd.may_see(admin, private=True, branch_id=B1, responsible_id=RESP)


# --- the readers, on SQLite ------------------------------------------------------


@pytest.fixture
def case_db(store):
    members = (*factories.DEFAULT_MEMBERS, (PoliticalStatus.MASSES, None))
    _top, (b1, b2) = factories.org_tree(store, ("一支部", "二支部"), members=members)
    sec = b1.with_post(CommitteePost.SECRETARY)
    plain = [p for p in b1.with_status(PoliticalStatus.FULL) if p.post is None]
    m1, m2 = plain[0], plain[1]
    worker = b1.with_status(PoliticalStatus.MASSES)[0]
    fu = factories.followup(
        store,
        b1,
        worker,
        responsible=m1,
        found_on=TODAY - timedelta(days=4),
        private=True,
        description=SECRET,
    )
    contact = fx.make_contact(TODAY, Actor(m1.id, m1.name), content="去医院看望", place="市医院")
    fu = fu_store.save(store, fx.log_contact(fu, contact, CONFIG))
    return {"store": store, "b1": b1, "b2": b2, "sec": sec, "m1": m1, "m2": m2, "w": worker,
            "fu": fu, "sec2": b2.with_post(CommitteePost.SECRETARY)}  # fmt: skip


def _as(store, person, *, secretary: bool = False) -> pd.ActingRoles:
    """Map the test's OS account to *person* (granted 书记 of their branch when
    *secretary*: a 职务 alone grants nothing) and read who is acting."""
    from storage import roles

    for g in roles.live_grants(store, store.actor):
        roles.revoke(store, store.actor, g.role, g.branch_id)
    accounts.unmap_account(store, store.actor)
    if person is not None and secretary:
        factories.grant_secretary(store, store.actor, person)
    elif person is not None:
        accounts.map_account(store, store.actor, person.id)
    return pd.reader(store)


def test_list_and_single_reads_redact_for_everyone_but_secretary_and_responsible(case_db) -> None:
    store, fu, w = case_db["store"], case_db["fu"], case_db["w"]
    q = ListQuery(Scope.BRANCH, case_db["b1"].id)

    def seen(who: pd.ActingRoles):
        rows = pd.page(store, q, today=TODAY, viewer=Viewer(store.actor), who=who)
        listed = next(r for r in rows if r.id == fu.id)
        assert pd.one(store, fu.id, who) == listed
        return listed

    for person in (None, case_db["m2"], case_db["w"], case_db["sec2"]):
        who = _as(store, person)
        shown = seen(who)
        dumped = shown.model_dump_json()
        assert shown.is_redacted and shown.person_name == "（保密）"
        for leak in (SECRET, w.name, w.id, "市医院", "看望"):
            assert leak not in dumped
        assert shown.responsible_name == case_db["m1"].name  # who carries it: shown
        assert pd.to_act_on(store, fu.id, who) is None  # and nobody acts on what they cannot read
    for person, sec in ((case_db["sec"], True), (case_db["m1"], False)):
        who = _as(store, person, secretary=sec)
        shown = seen(who)
        assert not shown.is_redacted and shown.description == SECRET
        assert pd.to_act_on(store, fu.id, who) == fu


def test_reader_takes_granted_roles_only(case_db) -> None:
    store = case_db["store"]
    assert _as(store, None) == Reader()
    # The roster's 职务 alone makes nobody 书记; the grant does.
    assert _as(store, case_db["sec"]).roles == frozenset()
    sec = _as(store, case_db["sec"], secretary=True)
    assert (SECRETARY, case_db["b1"].id) in sec.roles and sec.pin_ok
    assert _as(store, case_db["m1"]).roles == frozenset()


def test_home_lines_hide_private_cases_from_others(case_db) -> None:
    store, fu, w = case_db["store"], case_db["fu"], case_db["w"]

    def line(person, secretary: bool = False) -> str:
        who = _as(store, person, secretary=secretary)
        items = pd.home_items(store, TODAY + timedelta(days=30), who)
        return next(i.text for i in items if i.action and fu.id in i.action.args)

    for person in (None, case_db["m2"], case_db["sec2"]):
        assert line(person).startswith("保密事项：") and w.name not in line(person)
    assert line(case_db["sec"], secretary=True).startswith(w.name)
    assert line(case_db["m1"]).startswith(w.name)


def test_ledger_cases_outward_copy_redacts_even_for_the_secretary(case_db) -> None:
    store, b1 = case_db["store"], case_db["b1"]
    sec = _as(store, case_db["sec"], secretary=True)
    start, end = TODAY - timedelta(days=30), TODAY
    out = pd.ledger_cases(store, b1.id, start, end, sec, internal=False)
    assert [c.is_redacted for c in out if c.id == case_db["fu"].id] == [True]
    full = pd.ledger_cases(store, b1.id, start, end, sec, internal=True)
    assert [c.description for c in full if c.id == case_db["fu"].id] == [SECRET]


# --- nothing reads follow-ups around the rule ------------------------------------

# The storage functions that return follow-up content. Writers (save,
# file_new), settings (config, catalogue) and counts are not listed.
READERS = {
    "storage.followups": {"get", "list_page", "for_ledger"},
    "storage.followup_home": {"home_items"},
}
GATE = "services/private_details.py"
# Where the readers live, and modules that read the table for numbers only.
SQL_ALLOWED = {
    "storage/followups.py": "the repository itself",
    "storage/followup_home.py": "the home reader; takes the rule as may_see",
    "storage/compliance_report.py": "counts only (在办 / 新登记), no case content",
    "storage/migrations.py": "schema",
    "storage/pg_schema.py": "schema (the followups_full view, docs/SECURITY.md#postgresql)",
    "storage/maintenance.py": "integrity checks over every table",
    "storage/demo.py": "the demo generator writes cases",
    "storage/assessment.py": "counts each author's contacts (date and by_id only), no case content",
}
PACKAGES = ("domain", "storage", "services", "exports", "screens", "widgets", "tui")


def bypasses(source: str) -> list[str]:
    """Calls of a follow-up reader in *source* (the line and the name)."""
    found: list[str] = []
    aliases: dict[str, str] = {}  # local name → module
    direct: dict[str, str] = {}  # local name → "module.func"
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if full in READERS:
                    aliases[a.asname or a.name] = full
                elif node.module in READERS and a.name in READERS[node.module]:
                    direct[a.asname or a.name] = full
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name in READERS:
                    aliases[a.asname or a.name] = a.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            name = base.id if isinstance(base, ast.Name) else ast.unparse(base)
            module = aliases.get(name)
            if module and node.attr in READERS[module]:
                found.append(f"{node.lineno}: {module}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in direct:
            found.append(f"{node.lineno}: {direct[node.id]}")
    return found


def _modules() -> list[Path]:
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]


def test_the_scanner_catches_each_way_of_calling_a_reader() -> None:
    samples = [
        "from storage import followups as fu_store\nfu_store.get(s, i)",
        "from storage import followups\nfollowups.list_page(s, q)",
        "import storage.followups\nstorage.followups.for_ledger(s, b, e)",
        "from storage.followups import get\nget(s, i)",
        "from storage.followup_home import home_items as h\nh(s, t)",
        "def f():\n    from storage import followup_home\n    return followup_home.home_items(s, t)",
    ]
    for source in samples:
        assert bypasses(source), source
    assert not bypasses("from storage import followups as f\nf.save(s, x)\nf.config(s, b)")


def test_every_follow_up_reader_goes_through_private_details() -> None:
    offenders = {}
    for path in _modules():
        rel = str(path.relative_to(ROOT))
        if rel == GATE or rel in ("storage/followups.py", "storage/followup_home.py"):
            continue
        hits = bypasses(path.read_text(encoding="utf-8"))
        if hits:
            offenders[rel] = hits
    assert not offenders, f"read follow-ups through services.private_details: {offenders}"


def test_no_module_reads_the_followups_table_in_sql_around_the_rule() -> None:
    offenders = []
    for path in _modules():
        rel = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        if rel not in SQL_ALLOWED and ("FROM followups" in text or "FROM {TABLE}" in text):
            if "followup" in text:
                offenders.append(rel)
    assert not offenders, offenders


def test_the_screens_and_exports_that_show_cases_use_the_gate() -> None:
    """The known readers: if one stops importing the gate it reads nothing or
    bypasses it, and the scan above says which."""
    users = [
        "screens/followups/listing.py",
        "screens/followups/timeline.py",
        "services/home.py",  # the home screen's due lines
        "services/export_ledger.py",
    ]
    for rel in users:
        assert "private_details" in (ROOT / rel).read_text(encoding="utf-8"), rel
    # The member record and the quarterly report show no case content at all.
    for rel in ("screens/oversight/member_record.py", "services/export_report.py"):
        source = (ROOT / rel).read_text(encoding="utf-8")
        assert not bypasses(source) and "storage.followups" not in source, rel
