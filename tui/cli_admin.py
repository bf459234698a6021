"""`zhibu admin`: grant and revoke roles, approve mappings, set PINs, list.

Parsing and exit codes only; the rules are in services.identity (only a
管理员 may run these; docs/SECURITY.md#roles-and-grants).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import err, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.identity import PinSession
    from services.store import Store

ROLE_HELP = "角色：管理员、书记、支委、党员"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = sub.add_parser("admin", help="管理角色、账户对应和 PIN（仅管理员）")
    a_sub = a.add_subparsers(dest="admin_command", required=True)
    g = a_sub.add_parser("grant", help="授予角色（并把账户对应到花名册中的人）")
    g.add_argument("account", metavar="ACCOUNT", help="账户名（系统账户，或共用账户下的个人账户）")
    g.add_argument("--person", metavar="NAME", help="花名册中的姓名")
    g.add_argument("--role", required=True, metavar="ROLE", help=ROLE_HELP)
    g.add_argument("--branch", metavar="NAME", help="支部名称（书记、支委、党员必填）")
    r = a_sub.add_parser("revoke", help="撤销角色（记录保留）")
    r.add_argument("account", metavar="ACCOUNT")
    r.add_argument("--role", required=True, metavar="ROLE", help=ROLE_HELP)
    r.add_argument("--branch", metavar="NAME", help="只撤销这个支部的（默认：所有支部）")
    ls = a_sub.add_parser("list", help="列出角色")
    ls.add_argument("--all", action="store_true", help="包括已撤销的")
    ap = a_sub.add_parser("approve", help="批准账户的“我是谁”申请")
    ap.add_argument("account", metavar="ACCOUNT")
    idle = a_sub.add_parser("idle", help="空闲多少分钟后重新要求输入 PIN（默认 10）")
    idle.add_argument("minutes", type=float, metavar="MINUTES")
    p = a_sub.add_parser(
        "pin",
        help="设置或重置账户的 PIN，或用 --person 设置某人的个人 PIN（共用账户上切换身份用）"
        "（从终端读两次；非终端时从标准输入读）",
    )
    p.add_argument("account", metavar="ACCOUNT", nargs="?", help="单人使用的账户")
    p.add_argument("--person", metavar="NAME", help="花名册中的姓名：设置此人的个人 PIN")
    p.add_argument("--branch", metavar="NAME", help="同名时指明支部")
    sh = a_sub.add_parser(
        "shared", help="把账户设为共用账户（启动后无身份，各人用个人 PIN 切换身份），或取消"
    )
    sh.add_argument("account", metavar="ACCOUNT")
    sh.add_argument("state", choices=("on", "off"), metavar="on|off")


def _read_pin(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _read_new_pin() -> str | None:
    """The new PIN typed twice (None when the two differ)."""
    first = _read_pin("新 PIN：")
    if sys.stdin.isatty():
        second = getpass.getpass("再输一次：")
    else:
        rest = sys.stdin.readline()
        second = rest.rstrip("\r\n") if rest else first  # one line on stdin is enough
    return first if first == second else None


def _prove(store: Store) -> PinSession | int:
    """This session; an administrator account with a PIN gives it first
    (an exit code when it cannot or gives a wrong one)."""
    from services import identity

    session = identity.PinSession()
    if identity.is_shared(store, session):
        err("这是共用账户（无身份），不能管理角色：请在管理员自己的账户或以 root 运行 zhibu admin")
        return exit_codes.NO_PERM
    if not identity.needs_pin(store, session):
        return session
    if not sys.stdin.isatty():
        err("本账户设有 PIN，请在终端运行 zhibu admin 以输入 PIN")
        return exit_codes.NO_PERM
    result = identity.verify_pin(store, getpass.getpass("您的 PIN："), session)
    if not result.ok:
        err(result.message)
        return exit_codes.NO_PERM
    return session


def run(args: argparse.Namespace, db_path: DbTarget) -> int:
    from services.database import open_existing

    store = open_existing(db_path)
    try:
        session = _prove(store)
        if isinstance(session, int):
            return session
        return _run(args, store, session)
    finally:
        store.close()


def _run(args: argparse.Namespace, s: Store, session: PinSession) -> int:
    from services import identity

    cmd = args.admin_command
    if cmd == "grant":
        say(identity.grant(s, args.account, role=args.role, person=args.person,
                           branch=args.branch, session=session))  # fmt: skip
    elif cmd == "revoke":
        say(identity.revoke(s, args.account, role=args.role, branch=args.branch,
                            session=session))  # fmt: skip
    elif cmd == "list":
        rows = identity.list_grants(s, include_revoked=args.all, session=session)
        if not rows:
            say("还没有授予任何角色。")
        for row in rows:
            where = f"（{row.branch_name}）" if row.branch_name else ""
            who = f" {row.person_name}" if row.person_name else ""
            line = f"{row.account}{who}：{row.role}{where}  由 {row.granted_by} 于 {row.granted_at}"
            if row.revoked_at:
                line += f"  已由 {row.revoked_by} 于 {row.revoked_at} 撤销"
            say(line)
    elif cmd == "approve":
        req = identity.approve_account(s, args.account, session=session)
        say(f"已批准：账户 {req.account} 对应 {req.person_name}")
    elif cmd == "idle":
        identity.set_idle_minutes(s, args.minutes, session=session)
        say(f"已设置：空闲 {args.minutes:g} 分钟后重新要求输入 PIN")
    elif cmd == "shared":
        say(identity.set_shared(s, args.account, args.state == "on", session=session))
    elif cmd == "pin":
        if (args.account is None) == (args.person is None):
            err("请给出账户（zhibu admin pin ACCOUNT）或人员（zhibu admin pin --person 姓名），"
                "二者选一")  # fmt: skip
            return exit_codes.USAGE
        identity.require_admin(s, session)  # refuse before asking for anything
        if args.person is not None:
            identity.find_person(s, args.person, branch=args.branch)  # before the PIN too
        pin = _read_new_pin()
        if pin is None:
            err("两次输入的 PIN 不一致，未设置")
            return exit_codes.USAGE
        if args.person is not None:
            name = identity.set_person_pin(s, args.person, pin, branch=args.branch,
                                           session=session)  # fmt: skip
            say(f"已设置 {name} 的个人 PIN")
        else:
            identity.set_pin(s, args.account, pin, session=session)
            say(f"已设置账户 {args.account} 的 PIN")
    return exit_codes.OK
