"""Who is acting, and the administration of roles, mappings and PINs.

``acting_roles(store, actor)`` is the one answer to "who is this session and
what may it do": built from granted rows only (storage.roles), never from a
person's 职务. Everything else here changes those rows, each change audited
in the same transaction (docs/SECURITY.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.roles import BRANCH_ROLES, ActingIdentity, Role, RoleGrant
from services.errors import InvalidInput, NotFound, NotPermitted, Refused, service

if TYPE_CHECKING:
    from storage.db import Store
    from storage.roles import GrantRow, PinRow, Request

__all__ = [
    "ActingIdentity",
    "PinSession",
    "Role",
    "RoleGrant",
    "acting_roles",
]

PIN_MIN_LENGTH = 6
PIN_MAX_LENGTH = 64
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
IDLE_LIMIT_S = 600.0  # ask for the PIN again after 10 idle minutes
# scrypt cost (RFC 7914's interactive setting): ~50 ms per check, so a
# stolen hash costs an attacker the same per guess.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass
class PinSession:
    """This session's PIN state: who proved it, and when they were last active.

    ``clock`` is injectable (tests); ``idle_limit`` is seconds of inactivity
    after which the PIN is asked again. On a shared account ``person_id`` is
    the person signed in with their personal PIN and ``base_actor`` the actor
    the store had before (restored on sign-out).
    """

    clock: Callable[[], float] = time.monotonic
    idle_limit: float = IDLE_LIMIT_S
    account: str | None = None
    person_id: str | None = None
    person_name: str = ""
    base_actor: str | None = None
    _last: float = field(default=0.0, repr=False)

    def verified_for(self, account: str) -> bool:
        return self.account == account and self.clock() - self._last < self.idle_limit

    def mark_verified(self, account: str) -> None:
        self.account = account
        self._last = self.clock()

    def touch(self) -> None:
        """User activity: only an unexpired verification is extended."""
        if self.account is not None and self.clock() - self._last < self.idle_limit:
            self._last = self.clock()

    def expired(self) -> bool:
        """A verification that has just run out (not: never verified)."""
        return self.account is not None and self.clock() - self._last >= self.idle_limit

    def forget(self) -> None:
        self.account = None
        self.person_id = None
        self.person_name = ""


# One PIN session per open database handle: the app opens one Store per
# session, so whoever holds the store (a screen, services.private_details)
# learns the PIN state from acting_roles(store) without being handed it.
_SESSIONS: weakref.WeakKeyDictionary[Store, PinSession] = weakref.WeakKeyDictionary()


def pin_session_for(store: Store, clock: Callable[[], float] = time.monotonic) -> PinSession:
    """A new session whose idle limit is the administrator's setting
    (default 10 minutes; `zhibu admin idle MINUTES` changes it)."""
    from storage import roles

    return PinSession(clock=clock, idle_limit=roles.idle_minutes(store, IDLE_LIMIT_S / 60) * 60)


def attach_session(store: Store, session: PinSession) -> PinSession:
    """Make *session* the PIN session of *store* (the app does this once)."""
    _SESSIONS[store] = session
    return session


def session_of(store: Store) -> PinSession | None:
    return _SESSIONS.get(store)


@service
def set_idle_minutes(store: Store, minutes: float, *, session: PinSession | None = None) -> None:
    from storage import roles

    require_admin(store, session)
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput("空闲时间应在 1 到 1440 分钟之间")
    roles.set_idle_minutes(store, minutes)


def _account(actor: str) -> str:
    from storage.identity import claimed_account

    return claimed_account(actor)


def _real_actor(store: Store, session: PinSession | None = None) -> str:
    """The store's actor without a shared-account sign-in ('site', not
    'site(as 王五)'): the account the OS says is running."""
    session = session or session_of(store)
    if session is not None and session.person_id and session.base_actor:
        return session.base_actor
    return store.actor


def _me(store: Store, actor: str | None, session: PinSession | None = None) -> str:
    return _account(actor or _real_actor(store, session))


def owner_admin(store: Store, actor: str) -> bool:
    """root, or the database's owner while no 管理员 has been granted: the OS
    owner of the SQLite file, or the role owning the PostgreSQL database
    (Store.owner_account; docs/SECURITY.md#roles-and-grants)."""
    from storage import roles
    from storage.identity import is_root

    if is_root(actor):
        return True
    return store.owner_account() == _account(actor) and not roles.admin_granted(store)


def acting_roles(
    store: Store, actor: str | None = None, *, session: PinSession | None = None
) -> ActingIdentity:
    """Who *actor* (default: the store's actor) acts as, from granted data only.

    The PIN counts as verified only through *session*, by default the one
    attached to *store* (attach_session); without one, an account that has a
    PIN is not proven.
    """
    from storage import roles

    session = session or session_of(store)
    real = actor or _real_actor(store, session)
    account = _account(real)
    if roles.is_shared(store, account):
        # Several people share this account: nobody until one signs in with
        # their personal PIN; then that person, with the grants naming them.
        person = session.person_id if session and session.verified_for(account) else None
        return ActingIdentity(
            account=account,
            actor=actor or store.actor,
            person_id=person,
            grants=roles.person_grants(store, person) if person else (),
            pin_required=True,
            pin_verified=person is not None,
        )
    actor = real
    pin_required = roles.has_pin(store, account)
    return ActingIdentity(
        account=account,
        actor=actor,
        person_id=roles.mapped_person(store, account),
        grants=roles.live_grants(store, account),
        pin_required=pin_required,
        pin_verified=bool(pin_required and session and session.verified_for(account)),
        owner_admin=owner_admin(store, actor),
    )


# --- administration ---------------------------------------------------------


def require_admin(store: Store, session: PinSession | None = None) -> ActingIdentity:
    """The acting identity, or NotPermitted unless it is a (proven) 管理员."""
    me = acting_roles(store, session=session)
    if not me.holds(Role.ADMIN):
        raise NotPermitted(
            f"账户 {me.actor} 不是管理员，不能管理角色。"
            "请管理员（数据库文件的所有者或 root 最先是管理员）运行 zhibu admin。"
        )
    if not me.proven:
        raise NotPermitted(f"账户 {me.account} 设有 PIN，请先验证 PIN 再管理角色。")
    return me


def parse_role(name: str) -> Role:
    try:
        return Role(name.strip())
    except ValueError:
        raise InvalidInput(
            f"没有“{name}”这个角色。可用角色：{'、'.join(r.value for r in Role)}"
        ) from None


def _branch_id(store: Store, name: str | None, role: Role) -> str | None:
    from domain.org import OrgKind
    from services.org_lookup import find_unit

    if role in BRANCH_ROLES:
        if not name:
            raise InvalidInput(f"授予“{role.value}”必须用 --branch 指明支部")
        return find_unit(store, name, (OrgKind.BRANCH,), "支部").id
    if role is Role.GENERAL:
        if not name:
            raise InvalidInput(f"授予“{role.value}”必须用 --branch 指明党总支")
        return find_unit(store, name, (OrgKind.GENERAL_BRANCH,), "党总支").id
    if name:
        raise InvalidInput(f"“{role.value}”不属于某个支部，不要给 --branch")
    return None


def _person_id(store: Store, name: str, branch_id: str | None) -> str:
    rows = store.query("SELECT id, branch_id FROM people WHERE name=?", (name.strip(),))
    if branch_id is not None and len(rows) > 1:
        rows = [r for r in rows if r["branch_id"] == branch_id] or rows
    if not rows:
        raise NotFound(f"花名册中没有“{name}”")
    if len(rows) > 1:
        raise InvalidInput(f"花名册中有 {len(rows)} 位“{name}”，请用 --branch 指明支部")
    return str(rows[0]["id"])


def _account_of(store: Store, person_id: str) -> str | None:
    from storage import accounts

    return accounts.account_of(store, person_id)


def _check_account(account: str) -> str:
    account = account.strip()
    if not account or any(ch.isspace() or ch in "()" for ch in account):
        raise InvalidInput(f"账户名“{account}”无效（不能为空，不能含空格或括号）")
    return account


@service
def grant(
    store: Store,
    account: str,
    *,
    role: str,
    person: str | None,
    branch: str | None,
    session: PinSession | None = None,
) -> str:
    """Grant *role* to *account* (mapping it to *person*); a summary line."""
    from domain.org import OrgKind
    from services.org_lookup import find_unit
    from storage import roles

    require_admin(store, session)
    account = _check_account(account)
    r = parse_role(role)
    branch_id: str | None
    lookup: str | None
    if r is Role.ADMIN and branch:
        # 管理员 is for the whole organisation: --branch only tells apart two
        # people of the same name.
        branch_id = None
        lookup = find_unit(store, branch, (OrgKind.BRANCH,), "支部").id
    else:
        branch_id = lookup = _branch_id(store, branch, r)
    person_id = _person_id(store, person, lookup) if person else None
    mapped = roles.mapped_person(store, account)
    if person_id is None:
        person_id = mapped
    if person_id is None and r is not Role.ADMIN:
        raise InvalidInput(f"账户 {account} 尚未对应人员，请用 --person 指明是谁")
    if person_id is not None and person_id != mapped:
        other = _account_of(store, person_id)
        if other is not None and other != account:
            raise Refused(
                f"“{person}”已对应账户 {other}；一人只能对应一个账户，"
                f"请先撤销 {other} 的角色并解除对应"
            )
    if r is Role.SECRETARY and branch_id is not None:
        held = roles.secretary_grant(store, branch_id)
        if held is not None and held["account"] != account:
            raise Refused(
                f"支部“{branch}”已有书记（账户 {held['account']}）。一个支部只有一位书记："
                f"请先运行 zhibu admin revoke {held['account']} --role 书记 --branch {branch}"
            )
    if r in (g.role for g in roles.live_grants(store, account) if g.branch_id == branch_id):
        raise Refused(f"账户 {account} 已有“{r.value}”角色" + (f"（{branch}）" if branch else ""))
    roles.grant(store, account, r, person_id=person_id, branch_id=branch_id)
    return f"已授予 {account}：{r.value}" + (f"（{branch}）" if branch else "")


@service
def revoke(
    store: Store,
    account: str,
    *,
    role: str,
    branch: str | None = None,
    session: PinSession | None = None,
) -> str:
    from domain.org import OrgKind
    from services.org_lookup import find_unit
    from storage import roles

    require_admin(store, session)
    r = parse_role(role)
    branch_id = find_unit(store, branch, (OrgKind.BRANCH,), "支部").id if branch else None
    n = roles.revoke(store, account.strip(), r, branch_id)
    if not n:
        raise NotFound(f"账户 {account} 没有“{r.value}”角色" + (f"（{branch}）" if branch else ""))
    return f"已撤销 {account} 的“{r.value}”（{n} 项）"


@service
def list_grants(
    store: Store, *, include_revoked: bool = False, session: PinSession | None = None
) -> list[GrantRow]:
    from storage import roles

    require_admin(store, session)
    return roles.all_grants(store, include_revoked=include_revoked)


# --- mapping requests (我是谁) ----------------------------------------------


@service
def request_mapping(store: Store, person_id: str, actor: str | None = None) -> Request:
    """File "this account is that person": nothing is granted until approved."""
    from storage import people, roles

    account = _me(store, actor)
    if roles.is_shared(store, account):
        raise Refused(f"账户 {account} 是共用账户：请用「切换身份」和个人 PIN 说明您是谁")
    person = people.get(store, person_id)
    if person is None:
        raise NotFound("花名册中没有这个人")
    if roles.mapped_person(store, account) == person_id:
        raise Refused(f"账户 {account} 已经对应 {person.name}")
    other = _account_of(store, person_id)
    if other is not None:
        raise Refused(f"{person.name} 已对应另一个账户；如需更改，请联系管理员")
    roles.file_request(store, account, person_id, person.branch_id)
    req = roles.pending(store, account)
    assert req is not None
    return req


def my_request(store: Store, actor: str | None = None) -> Request | None:
    from storage import roles

    return roles.pending(store, _me(store, actor))


def requests_i_may_decide(store: Store, session: PinSession | None = None) -> list[Request]:
    """Pending requests this session may approve: all for an administrator,
    its branches' for a granted 书记, none otherwise (or while unproven)."""
    from storage import roles

    me = acting_roles(store, session=session)
    if me.is_admin:
        return roles.pending_requests(store)
    branches = me.secretary_branches()
    return roles.pending_requests(store, branches) if branches else []


@service
def decide_request(
    store: Store, request_id: str, *, approve: bool, session: PinSession | None = None
) -> Request:
    from storage import roles

    req = roles.get_request(store, request_id)
    if req is None or req.status != roles.PENDING:
        raise NotFound("没有这条待批准的申请（可能已被处理）")
    me = acting_roles(store, session=session)
    if not (me.is_admin or (req.branch_id and me.acts_as(Role.SECRETARY, req.branch_id))):
        why = "（请先验证 PIN）" if not me.proven else ""
        raise NotPermitted(f"只有管理员或该支部的书记可以批准这条申请{why}")
    if req.account == me.account and not me.is_admin:
        raise Refused("不能批准自己的申请")
    roles.decide(store, req, approve=approve)
    return req


@service
def approve_account(store: Store, account: str, *, session: PinSession | None = None) -> Request:
    """`zhibu admin approve ACCOUNT`: approve that account's pending request."""
    from storage import roles

    req = roles.pending(store, account.strip())
    if req is None:
        raise NotFound(f"账户 {account} 没有待批准的申请")
    return decide_request(store, req.id, approve=True, session=session)


# --- PINs -------------------------------------------------------------------


def _hash(pin: str, salt: bytes, params: dict[str, int]) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, maxmem=64 * 1024 * 1024, **params)


def check_pin_text(pin: str) -> None:
    if len(pin) < PIN_MIN_LENGTH:
        raise InvalidInput(f"PIN 太短：至少 {PIN_MIN_LENGTH} 位")
    if len(pin) > PIN_MAX_LENGTH:
        raise InvalidInput(f"PIN 太长：最多 {PIN_MAX_LENGTH} 位")


@service
def set_pin(store: Store, account: str, pin: str, *, session: PinSession | None = None) -> None:
    """Set or reset *account*'s PIN (administrators only)."""
    from storage import roles

    require_admin(store, session)
    account = _check_account(account)
    if roles.is_shared(store, account):
        raise Refused(f"账户 {account} 是共用账户：请用 zhibu admin pin --person 姓名 设置个人 PIN")
    check_pin_text(pin)
    _store_pin(store, account, pin)


@dataclass(frozen=True)
class PinResult:
    ok: bool
    message: str
    locked_until: datetime | None = None


def _attempt(store: Store, key: str, row: PinRow, pin: str, now: datetime) -> PinResult:
    """Check *pin* against the PIN row *key* (an account's or a person's):
    failures and lockouts are stored (a restart does not reset them) and
    every attempt is audited. The one lockout rule for both kinds of PIN."""
    from storage import roles as r

    if row.locked_until and now < datetime.fromisoformat(row.locked_until):
        until = datetime.fromisoformat(row.locked_until)
        return PinResult(False, f"PIN 错误次数过多，已锁定到 {until:%H:%M:%S}", until)
    failures = 0 if row.locked_until else row.failures  # a lockout that ended starts over
    good = hmac.compare_digest(_hash(pin, row.salt, json.loads(row.params)), row.hash)
    if good:
        r.record_attempt(store, key, ok=True, failures=0, locked_until=None)
        return PinResult(True, "PIN 正确")
    failures += 1
    if failures >= MAX_FAILURES:
        until = now + LOCKOUT
        r.record_attempt(store, key, ok=False, failures=failures,
                         locked_until=until.isoformat(timespec="seconds"))  # fmt: skip
        minutes = int(LOCKOUT.total_seconds() // 60)
        return PinResult(False, f"PIN 连续错误 {failures} 次，锁定 {minutes} 分钟", until)
    r.record_attempt(store, key, ok=False, failures=failures, locked_until=None)
    return PinResult(False, f"PIN 不对（还可再试 {MAX_FAILURES - failures} 次）")


@service
def verify_pin(
    store: Store,
    pin: str,
    session: PinSession,
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> PinResult:
    """Check the PIN of this session's account (see _attempt)."""
    from storage import roles as r

    account = _me(store, actor, session)
    row = r.pin_row(store, account)
    if row is None:
        session.mark_verified(account)
        return PinResult(True, "此账户未设 PIN")
    result = _attempt(store, account, row, pin, now or datetime.now())
    if result.ok:
        session.mark_verified(account)
    return result


def needs_pin(store: Store, session: PinSession | None = None, actor: str | None = None) -> bool:
    """The account has a PIN and this session has not (recently) proven it."""
    from storage import roles

    session = session or session_of(store)
    account = _me(store, actor, session)
    if roles.is_shared(store, account):
        return not (session and session.person_id and session.verified_for(account))
    return roles.has_pin(store, account) and not (session and session.verified_for(account))


# --- shared accounts: a person signs in with their personal PIN ---------------


def is_shared(store: Store, session: PinSession | None = None) -> bool:
    """Whether the account running this session is marked shared."""
    from storage import roles

    return roles.is_shared(store, _me(store, None, session))


@service
def set_shared(store: Store, account: str, on: bool, *, session: PinSession | None = None) -> str:
    """`zhibu admin shared ACCOUNT on|off` (administrators only), audited."""
    from storage import roles

    require_admin(store, session)
    account = _check_account(account)
    changed = roles.set_shared(store, account, on)
    if on:
        return f"已将账户 {account} 设为共用账户：启动后无身份，需用个人 PIN 切换身份" + (
            "" if changed else "（原已是）"
        )
    return f"账户 {account} 已不是共用账户" + ("" if changed else "（原本就不是）")


@service
def set_person_pin(
    store: Store,
    person: str,
    pin: str,
    *,
    branch: str | None = None,
    person_id: str | None = None,
    session: PinSession | None = None,
) -> str:
    """`zhibu admin pin --person NAME`: set or reset a person's personal PIN
    (administrators only); the person's name for the message."""
    from storage import people, roles

    require_admin(store, session)
    person_id = person_id or find_person(store, person, branch=branch)
    found = people.get(store, person_id)
    if found is None:
        raise NotFound(f"花名册中没有“{person}”")
    check_pin_text(pin)
    _store_pin(store, roles.person_key(person_id), pin)
    return found.name


@service
def find_person(store: Store, name: str, *, branch: str | None = None) -> str:
    """The id of the roster person *name* (in *branch* when given)."""
    from domain.org import OrgKind
    from services.org_lookup import find_unit

    branch_id = find_unit(store, branch, (OrgKind.BRANCH,), "支部").id if branch else None
    return _person_id(store, name, branch_id)


def _store_pin(store: Store, key: str, pin: str) -> None:
    from storage import roles

    salt = os.urandom(16)
    roles.set_pin(store, key, salt, _hash(pin, salt, SCRYPT), json.dumps(SCRYPT))


def person_has_pin(store: Store, person_id: str) -> bool:
    from storage import roles

    return roles.has_pin(store, roles.person_key(person_id))


# Roles whose PIN only an administrator may set: claiming such a person on a
# shared account would open every private case of their branch.
_ADMIN_SET_PIN = (Role.SECRETARY, Role.ADMIN)


def _person_label(name: str) -> str:
    # The audit actor reads ACCOUNT(as PERSON); parentheses would break it.
    return name.replace("(", "（").replace(")", "）").strip() or "?"


def _enter(store: Store, session: PinSession, account: str, person_id: str, name: str) -> None:
    base = _real_actor(store, session)
    session.mark_verified(account)
    session.person_id = person_id
    session.person_name = name
    session.base_actor = base
    # Every write from now on is audited as both, like root(as alice).
    store.actor = f"{base}(as {_person_label(name)})"


def sign_out(store: Store, session: PinSession | None = None) -> None:
    """退出身份 (or idle): back to nobody; writes are audited as the account."""
    session = session or session_of(store)
    if session is None:
        return
    if session.person_id and session.base_actor:
        store.actor = session.base_actor
    session.forget()


def signed_in_name(store: Store, session: PinSession | None = None) -> str:
    """The person signed in on this shared account ('' for nobody)."""
    session = session or session_of(store)
    if session is None or not session.person_id or not is_shared(store, session):
        return ""
    return session.person_name if session.verified_for(_me(store, None, session)) else ""


@service
def sign_in(
    store: Store,
    person_id: str,
    pin: str,
    session: PinSession,
    *,
    now: datetime | None = None,
) -> PinResult:
    """On a shared account, act as *person_id* after their personal PIN; the
    per-person lockout is the account PIN's (_attempt)."""
    from storage import people, roles

    account = _me(store, None, session)
    if not roles.is_shared(store, account):
        raise Refused(f"账户 {account} 不是共用账户，无需切换身份")
    person = people.get(store, person_id)
    if person is None:
        raise NotFound("花名册中没有这个人")
    key = roles.person_key(person_id)
    row = roles.pin_row(store, key)
    if row is None:
        return PinResult(False, f"{person.name} 还没有个人 PIN")
    result = _attempt(store, key, row, pin, now or datetime.now())
    if result.ok:
        sign_out(store, session)
        _enter(store, session, account, person_id, person.name)
    return result


def may_set_own_pin(store: Store, person_id: str) -> str:
    """'' when *person_id* may set their first personal PIN at sign-in, else why not."""
    from storage import roles

    if roles.has_pin(store, roles.person_key(person_id)):
        return "已有个人 PIN"
    if any(g.role in _ADMIN_SET_PIN for g in roles.person_grants(store, person_id)):
        return "书记、管理员的个人 PIN 只能由管理员设置（zhibu admin pin --person 姓名）"
    return ""


@service
def set_own_pin(store: Store, person_id: str, pin: str, session: PinSession) -> None:
    """First sign-in on a shared account: the person sets their own PIN and is
    signed in (audited as pin_set by the account)."""
    from storage import people, roles

    account = _me(store, None, session)
    if not roles.is_shared(store, account):
        raise Refused(f"账户 {account} 不是共用账户")
    person = people.get(store, person_id)
    if person is None:
        raise NotFound("花名册中没有这个人")
    why = may_set_own_pin(store, person_id)
    if why:
        raise Refused(why)
    check_pin_text(pin)
    _store_pin(store, roles.person_key(person_id), pin)
    sign_out(store, session)
    _enter(store, session, account, person_id, person.name)
