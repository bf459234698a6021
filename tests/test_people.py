from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.dates import DateParseError, parse_date
from domain.errors_cn import field_errors
from domain.org import OrgKind, OrgUnit
from domain.people import Person, PoliticalStatus
from domain.search_keys import has_cjk, normalise_query, person_keys
from storage import org, people
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

@pytest.mark.parametrize(
    "text",
    [
        "2026-11-22",
        "2026/11/22",
        "20261122",
        "11-22",
        "今天",
        "２０２６－１１－２２",
        "2026年11月22日",
        "11/22",
    ],
)
def test_dates_people_type(text: str) -> None:
    assert parse_date(text, today=TODAY) == TODAY


@pytest.mark.parametrize("text", ["2026-02-30", "明年", "13-01", ""])
def test_bad_dates_have_chinese_messages(text: str) -> None:
    with pytest.raises(DateParseError) as e:
        parse_date(text, today=TODAY)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e.value))


def test_person_validation_messages_and_cleaning() -> None:
    p = Person(name=" 张\x1b[2J伟\u202e ", phone="１３８ ０００")
    assert p.name == "张[2J伟"
    assert p.phone == "138000"
    with pytest.raises(ValidationError) as e:
        Person(name="  ", phone="abc")
    errors = field_errors(e.value)
    assert errors["name"] == "不能为空"
    assert errors["phone"] == "电话只能是数字"


def test_voting_rights() -> None:
    assert Person(name="甲", status=PoliticalStatus.FULL).has_vote
    assert not Person(name="乙", status=PoliticalStatus.PROBATIONARY).has_vote
    assert not Person(name="丙", status=PoliticalStatus.FULL, on_party_probation=True).has_vote


def test_search_keys_cover_the_ways_people_type() -> None:
    keys = dict(person_keys("张伟"))
    assert {"zhangwei", "zw", "张伟"} <= set(keys)
    assert normalise_query("Zhang Wei") == "zhangwei"
    assert normalise_query("ｚｗ") == "zw"


@pytest.mark.parametrize("query", ["zw", "zhangw", "zhang wei", "张", "张伟", "ZW"])
def test_search_finds_zhang_wei_first(store, query: str) -> None:
    b = org.save(store, OrgUnit(name="一支部", kind=OrgKind.BRANCH))
    for name in ("张伟", "张伟明", "周文", "赵武", "王张伟", "章维"):
        people.save(store, Person(name=name, branch_id=b.id))
    found = [p.name for p in people.search(store, query)]
    assert found[0] == "张伟", found


def test_search_middle_character_and_filters(store) -> None:
    b1 = org.save(store, OrgUnit(name="一支部", kind=OrgKind.BRANCH))
    b2 = org.save(store, OrgUnit(name="二支部", kind=OrgKind.BRANCH))
    people.save(store, Person(name="李伟明", branch_id=b1.id, status=PoliticalStatus.FULL))
    people.save(store, Person(name="刘伟", branch_id=b2.id))
    assert {p.name for p in people.search(store, "伟")} == {"李伟明", "刘伟"}
    assert [p.name for p in people.search(store, "伟", branch_id=b2.id)] == ["刘伟"]
    assert [p.name for p in people.search(store, "伟", members_only=True)] == ["李伟明"]


@pytest.mark.sqlite_only
def test_search_uses_the_index(store) -> None:
    factories.branch(store)
    plan = store.query(
        "EXPLAIN QUERY PLAN SELECT person_id FROM person_keys WHERE key >= 'zw' AND key < 'zw\uffff'"
    )
    assert any("USING PRIMARY KEY" in r["detail"] or "USING INDEX" in r["detail"] for r in plan)


def test_move_person_between_branches(store) -> None:
    _top, (one, two) = factories.org_tree(store, groups=2)
    p = one.members[5]
    assert p.group_id is not None
    moved = people.move(store, p, two.id, None)
    assert moved.version == p.version + 1
    row = store.query_one("SELECT branch_id, group_id FROM people WHERE id=?", (p.id,))
    assert row == {"branch_id": two.id, "group_id": None}
    assert [x.id for x in people.list_branch(store, two.id)].count(p.id) == 1
    assert p.id not in [x.id for x in people.list_branch(store, one.id)]


def test_demo_has_four_branches_with_secretaries(demo_store) -> None:
    branches = org.branches(demo_store)
    assert len(branches) == 4
    assert {b.shift_pattern.value for b in branches} >= {"三班倒", "常白班"}
    for b in branches:
        assert people.secretary_of(demo_store, b.id) is not None
        counts = people.status_counts(demo_store, b.id)
        assert counts[PoliticalStatus.FULL] >= 7 and counts[PoliticalStatus.PROBATIONARY] >= 1
    assert people.count_all(demo_store) == 120


def _ranked_by_hand(store, text: str, *, branch_id=None, members_only=False, limit=30) -> list[str]:
    """search()'s order, straight from its definition: equal key first, then the
    best rank among the keys the query is a prefix of, then name length,
    sort_key and name (a scan of every key, in Python)."""
    q = normalise_query(text)
    best: dict[str, tuple[int, int]] = {}
    for r in store.query("SELECT key, person_id, rank FROM person_keys"):
        if r["key"].startswith(q):
            exact, rank = best.get(r["person_id"], (0, 9))
            best[r["person_id"]] = (max(exact, int(r["key"] == q)), min(rank, r["rank"]))
    rows = store.query("SELECT id, name, sort_key, branch_id, status FROM people")
    hits = [
        r
        for r in rows
        if r["id"] in best
        and (not branch_id or r["branch_id"] == branch_id)
        and (not members_only or r["status"] in ("正式党员", "预备党员"))
    ]
    hits.sort(
        key=lambda r: (
            -best[r["id"]][0],
            best[r["id"]][1],
            len(r["name"]),
            r["sort_key"],
            r["name"],
        )
    )
    return [r["name"] for r in hits[:limit]]


_PREFIXES = [*"abcdefghjklmnopqrstwxyz", "zh", "ch", "sh", "li", "wa", "zw", "wang", "zhangw", "x"]


@pytest.mark.parametrize("limit", [1, 5, 30])
def test_search_order_matches_its_definition(demo_store, limit: int) -> None:
    """One rank tier at a time must give the same order as ranking every match."""
    names = [r["name"] for r in demo_store.query("SELECT name FROM people ORDER BY id")]
    queries = [*_PREFIXES, *{n[:1] for n in names[:40]}, *{n[:2] for n in names[:40]}]
    branch = org.branches(demo_store)[1].id
    for q in queries:
        for kw in ({}, {"branch_id": branch}, {"members_only": True}):
            if has_cjk(q):
                continue  # characters also match mid-name (LIKE), checked below
            got = [p.name for p in people.search(demo_store, q, limit=limit, **kw)]
            assert got == _ranked_by_hand(demo_store, q, limit=limit, **kw), (q, kw)


def test_search_tiers_equal_key_then_rank_then_length(store) -> None:
    b = org.save(store, OrgUnit(name="一支部", kind=OrgKind.BRANCH))
    other = org.save(store, OrgUnit(name="二支部", kind=OrgKind.BRANCH))
    for name, branch in (
        ("张伟", b),  # zw: equal key (initials)
        ("周文", b),  # zw: equal key too
        ("张伟明", b),  # zwm: initials, longer
        ("赵武", other),  # zw equal, but in the other branch
        ("王张伟", b),  # zw... only as given name (rank 3)
        ("庄王", b),  # zhuangwang: zw initials equal
    ):
        people.save(store, Person(name=name, branch_id=branch.id))
    assert [p.name for p in people.search(store, "zw")] == _ranked_by_hand(store, "zw")
    got = [p.name for p in people.search(store, "zw", branch_id=b.id)]
    assert got == _ranked_by_hand(store, "zw", branch_id=b.id)
    assert "赵武" not in got and got[-1] == "张伟明"
    # a limit that ends inside the equal-key group, and one inside a rank tier
    for limit in (1, 2, 4, 5):
        got = [p.name for p in people.search(store, "z", limit=limit)]
        assert got == _ranked_by_hand(store, "z", limit=limit)
    assert people.search(store, "zw", limit=0) == []


def test_search_walks_every_key_rank() -> None:
    """search() ranks one tier per RANK_* of domain.search_keys: a new rank must be added there."""
    from domain import search_keys

    ranks = {v for k, v in vars(search_keys).items() if k.startswith("RANK_")}
    assert ranks == set(people._KEY_RANKS)
    assert list(people._KEY_RANKS) == sorted(people._KEY_RANKS)


@pytest.mark.parametrize(
    "query", ["zhoujl", "zhouj", "zhoujiel", "zjielun", "zhoujlun", "zhoujielun", "zjiel"]
)
def test_search_mixes_full_syllables_and_initials(store, query: str) -> None:
    # Issue 16 item 8: "zhoujl" found nothing while "zhouj" and "zhoujiel" did.
    b = org.save(store, OrgUnit(name="一支部", kind=OrgKind.BRANCH))
    for name in ("周杰伦", "周明", "赵杰", "张俊林"):
        people.save(store, Person(name=name, branch_id=b.id))
    found = [p.name for p in people.search(store, query)]
    assert found and found[0] == "周杰伦", found
    assert "张俊林" not in found


def test_mixed_keys_take_each_syllable_whole_or_initial() -> None:
    from domain.search_keys import matches_syllables, mixed_keys

    assert set(mixed_keys(("zhou", "jie", "lun"))) == {
        "zhoujl", "zhoujiel", "zhoujlun", "zjielun", "zjiel", "zjlun",
    }  # fmt: skip
    assert mixed_keys(("zhou",)) == []
    for q in ("hmc", "huamingce", "huamc", "hmingc", "mingce", "hua"):
        assert matches_syllables(q, ["hua", "ming", "ce"]), q
    assert not matches_syllables("hmx", ["hua", "ming", "ce"])
    assert not matches_syllables("", ["hua"])
