"""`zhibu remind` end to end: the real CLI entry sends to a local HTTP server
standing in for the 企业微信 and 钉钉 group robots and to a local SMTP server
(aiosmtpd), all on 127.0.0.1 and started here; the tests assert on what they
received (the 钉钉 signature checked server-side from the secret), on the
outbox after failures and retries, and on the --dry-run output."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.header
import email.policy
import hashlib
import hmac
import json
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from domain.dashboard import Urgency
from domain.development import Stage, StageEvent
from domain.people import PoliticalStatus
from domain.reminders import dingtalk_sign
from services import development as dev_svc
from storage import org, remind_outbox
from storage.db import Store, open_store
from tests import factories
from tests.factories import TODAY
from tui import exit_codes
from tui.cli import main

pytestmark = pytest.mark.both_engines

SECRET = "SEC0123456789abcdef测试"
DAY = TODAY.isoformat()


# --- the stand-in servers -------------------------------------------------------

PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours the proxy variables: a CI runner's proxy must not sit
    between the command and the servers on 127.0.0.1."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


@dataclass
class Robot:
    """What the robot server received, and how it should answer."""

    port: int = 0
    posts: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0  # answer HTTP 500 to this many requests
    hang_seconds: float = 0.0
    # During each request: can another connection take the database's write lock?
    db_path: Path | None = None
    db_free_during_send: list[bool] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path: str) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["path"] == path]


def _handler(robot: Robot) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if robot.db_path is not None:
                robot.db_free_during_send.append(_can_write(robot.db_path))
            if robot.hang_seconds:
                time.sleep(robot.hang_seconds)
            if robot.fail_next > 0:
                robot.fail_next -= 1
                self.send_response(500)
                self.end_headers()
                return
            post = {
                "path": parts.path,
                "query": query,
                "json": json.loads(body.decode("utf-8")),
                "content_type": self.headers["Content-Type"],
            }
            answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
            if parts.path == "/dingtalk":
                post["sign_ok"] = _dingtalk_verifies(query, SECRET)
                if not post["sign_ok"]:  # what 钉钉 answers to a bad signature
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
            robot.posts.append(post)
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _dingtalk_verifies(query: dict[str, str], secret: str) -> bool:
    """The server side of 钉钉 加签, written from its description (not from
    the code under test): HMAC-SHA256 keyed with the secret over
    "timestamp\\nsecret", base64; the timestamp within an hour of now."""
    try:
        ts = int(query["timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() * 1000 - ts) > 3600_000:
        return False
    mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(query.get("sign", ""), base64.b64encode(mac).decode())


def _can_write(db_path: Path) -> bool:
    conn = sqlite3.connect(str(db_path), timeout=0.2)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_robot(robot: Robot, port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(robot))
    robot.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def robot() -> Iterator[Robot]:
    r = Robot()
    server = _serve_robot(r)
    yield r
    server.shutdown()
    server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


def _start_smtp(port: int) -> tuple[Controller, Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, box


@pytest.fixture
def smtp() -> Iterator[tuple[int, Mailbox]]:
    port = _free_port()
    controller, box = _start_smtp(port)
    yield port, box
    controller.stop()


# --- the database and config ----------------------------------------------------


@pytest.fixture
def data(db_path: Path) -> Path:
    """Two branches with a year of meetings (支委会 missing in October, make-up
    study owed), a follow-up overdue and a private one due today in 一支部,
    late courseware in 二支部, and a 发展党员 activist in 一支部."""
    store = open_store(db_path, actor="tester")
    try:
        b1, b2 = factories.calendar(store)
        factories.followup(
            store, b1, b1.members[4], responsible=b1.members[1],
            next_contact=TODAY - dt.timedelta(days=3),
        )  # fmt: skip
        factories.followup(
            store, b1, b1.members[5], private=True, description="家中老人重病住院",
            trigger_text="家庭困难", next_contact=TODAY,
        )  # fmt: skip
        factories.rota(store, b2.unit, [b2.members[0], b2.members[1]], branch_name=b2.unit.name)
        masses = b1.with_status(PoliticalStatus.MASSES)[0].id
        for stage, on in ((Stage.APPLIED, "2025-09-01"), (Stage.TALK, "2025-09-20")):
            dev_svc.record(store, masses, StageEvent(stage=stage, on=dt.date.fromisoformat(on)))
        dev_svc.record(
            store, masses,
            StageEvent(stage=Stage.ACTIVIST, on=dt.date(2025, 11, 1), people=("张伟", "王芳")),
        )  # fmt: skip
    finally:
        store.close()
    return db_path


def _config(tmp_path: Path, robot: Robot | None, smtp_port: int, **extra: object) -> Path:
    wecom = robot.url("/wecom") if robot else "http://127.0.0.1:9/wecom"
    ding = robot.url("/dingtalk") if robot else "http://127.0.0.1:9/dingtalk"
    values = {"retry_after_minutes": 0, "timeout_seconds": 3, **extra}
    settings = "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
    text = f"""
[remind]
{settings}

[remind.smtp]
host = "127.0.0.1"
port = {smtp_port}
sender = "zhibu@example.com"

[[remind.branches]]
name = "一支部"
wecom_webhook = "{wecom}?key=test-key"

[[remind.branches]]
name = "二支部"
dingtalk_webhook = "{ding}?access_token=test-token"
dingtalk_secret = "{SECRET}"

[[remind.people]]
name = "王芳"
email = "wangfang@example.com"
"""
    return _write_config(text)


def _write_config(text: str) -> Path:
    """The system config file (the conftest points ZHIBU_SYSTEM_CONFIG into
    the test's tmp_path): where an administrator puts the [remind] section."""
    path = Path(os.environ["ZHIBU_SYSTEM_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def remind(db: Path, *args: str) -> int:
    return main(["--db", str(db), "remind", "--date", DAY, *args])


def _outbox(db: Path) -> list[remind_outbox.OutboxRow]:
    store = open_store(db, actor="tester")
    try:
        return remind_outbox.rows(store)
    finally:
        store.close()


def _wecom_text(robot: Robot) -> str:
    (post,) = robot.on("/wecom")
    assert post["json"]["msgtype"] == "markdown"
    return str(post["json"]["markdown"]["content"])


# --- the tests ------------------------------------------------------------------


def test_each_branch_and_person_gets_their_digest_on_their_channel(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], capsys
) -> None:
    port, box = smtp
    _config(tmp_path, robot, port)
    assert remind(data) == exit_codes.OK
    out = capsys.readouterr().out
    assert "已发送：支部 一支部 → 企业微信" in out and "已发送：个人 王芳 → 邮件" in out

    wecom = _wecom_text(robot)  # 一支部's group robot
    assert wecom.startswith("### 支部工作提醒（11月22日）：一支部")
    assert "一支部：支委会（10月）未开，已逾期" in wecom  # the meetings the rules require
    assert "陈静：联系已逾期3天" in wecom  # a follow-up
    assert "补学" in wecom and "一支部：6 人次待补学" in wecom
    assert "黄敏" in wecom and "思想汇报 2026-02-01 到期" in wecom  # 发展党员
    assert "二支部" not in wecom.split("\n", 1)[1]  # nothing of the other branch
    assert wecom.count("决议 张伟：落实") == 6  # the branch's open decisions

    (ding,) = robot.on("/dingtalk")  # 二支部's robot, signed
    assert ding["sign_ok"] is True
    assert ding["query"]["access_token"] == "test-token"
    assert ding["json"]["msgtype"] == "markdown"
    assert ding["json"]["markdown"]["title"].startswith("支部工作提醒（11月22日）：二支部")
    text = ding["json"]["markdown"]["text"]
    assert "选题报备逾期 2 天：12月4日党课 吴丽（二支部）" in text  # courseware
    assert "二支部：支委会（10月）未开，已逾期" in text

    ((rcpt, msg),) = box.messages  # 王芳, responsible for the follow-up
    assert rcpt == ["wangfang@example.com"] and msg["To"] == "wangfang@example.com"
    subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    assert subject == "支部工作提醒（11月22日）：王芳，1 项待办，1 项已逾期"
    body = msg.get_content()
    assert "【一人一事】" in body and "陈静：联系已逾期3天" in body
    assert "支委会" not in body  # a person gets their own items only

    rows = _outbox(data)
    assert {(r.recipient, r.channel, r.status) for r in rows} == {
        ("支部:一支部", "wecom", remind_outbox.Status.SENT),
        ("支部:二支部", "dingtalk", remind_outbox.Status.SENT),
        ("个人:王芳", "email", remind_outbox.Status.SENT),
    }
    assert all(r.day == TODAY and r.attempts == 1 for r in rows)


def test_private_follow_up_details_never_leave_the_machine(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], monkeypatch
) -> None:
    # Even when whoever runs the command is 一支部's 书记 with a proved PIN:
    # the digest goes to a group chat, so it is read as nobody.
    from services import private_details

    store = open_store(data, actor="tester")
    (b1,) = [b for b in org.branches(store) if b.name == "一支部"]
    store.close()
    secretary = private_details.Reader("x", frozenset({(private_details.SECRETARY, b1.id)}), True)
    monkeypatch.setattr(private_details, "reader", lambda _store: secretary)
    _config(tmp_path, robot, smtp[0])
    assert remind(data) == exit_codes.OK
    wecom = _wecom_text(robot)
    assert "保密事项：今天应联系" in wecom
    everything = json.dumps(robot.posts, ensure_ascii=False) + "".join(
        m.get_content() for _, m in smtp[1].messages
    )
    assert "家庭困难" not in everything and "老人" not in everything
    assert "杨军 · " not in everything  # the private case's person stays unnamed


def test_a_second_run_the_same_day_sends_nothing(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], capsys
) -> None:
    _config(tmp_path, robot, smtp[0])
    assert remind(data) == exit_codes.OK
    assert (len(robot.posts), len(smtp[1].messages)) == (2, 1)
    capsys.readouterr()
    assert remind(data) == exit_codes.OK
    assert (len(robot.posts), len(smtp[1].messages)) == (2, 1)
    assert capsys.readouterr().out.count("今天已发送过") == 3
    # The next day is a new digest.
    assert main(["--db", str(data), "remind", "--date", "2026-11-23"]) == 0
    assert (len(robot.posts), len(smtp[1].messages)) == (4, 2)


def test_failed_sends_are_recorded_and_the_next_run_retries_them(
    data: Path, tmp_path: Path, robot: Robot, capsys
) -> None:
    robot.fail_next = 1  # the first robot request gets HTTP 500
    smtp_port = _free_port()  # nothing listens there yet: connection refused
    _config(tmp_path, robot, smtp_port)
    assert remind(data) == exit_codes.TEMP_FAIL == 75
    err = capsys.readouterr().err
    assert "服务器返回 HTTP 500" in err and "连接发信服务器被拒绝" in err
    assert "test-key" not in err and "test-token" not in err  # webhook keys stay in the config
    rows = {r.channel: r for r in _outbox(data)}
    assert rows["wecom"].status is remind_outbox.Status.PENDING
    assert rows["wecom"].attempts == 1 and rows["wecom"].last_error == "服务器返回 HTTP 500"
    assert rows["wecom"].next_try is not None
    assert rows["email"].status is remind_outbox.Status.PENDING
    assert rows["email"].last_error == "连接发信服务器被拒绝"
    assert rows["dingtalk"].status is remind_outbox.Status.SENT
    store = open_store(data, actor="tester")
    dumped = "".join(store.conn.iterdump())
    store.close()
    assert "test-key" not in dumped and SECRET not in dumped and "127.0.0.1" not in dumped
    assert [p["path"] for p in robot.posts] == ["/dingtalk"]

    controller, box = _start_smtp(smtp_port)  # the mail server is back
    try:
        assert remind(data) == exit_codes.OK
    finally:
        controller.stop()
    assert sorted(p["path"] for p in robot.posts) == ["/dingtalk", "/wecom"]  # 钉钉 not again
    assert "一支部：支委会（10月）未开，已逾期" in _wecom_text(robot)
    assert [rcpt for rcpt, _ in box.messages] == [["wangfang@example.com"]]
    rows = {r.channel: r for r in _outbox(data)}
    assert all(r.status is remind_outbox.Status.SENT for r in rows.values())
    assert (rows["wecom"].attempts, rows["email"].attempts, rows["dingtalk"].attempts) == (2, 2, 1)


def test_a_refused_connection_waits_for_its_next_try_and_is_given_up_after_max_attempts(
    data: Path, tmp_path: Path, smtp: tuple[int, Mailbox], capsys
) -> None:
    port = _free_port()
    robot = Robot(port=port)  # not serving: connection refused
    _config(tmp_path, robot, smtp[0], max_attempts=2, retry_after_minutes=60)
    assert remind(data, "--to", "一支部") == exit_codes.TEMP_FAIL
    assert "连接被拒绝" in capsys.readouterr().err
    # Within the hour a run leaves it alone…
    assert remind(data, "--to", "一支部") == exit_codes.OK
    assert "等待重试：支部 一支部 → 企业微信" in capsys.readouterr().out
    (row,) = _outbox(data)
    assert (row.status, row.attempts, row.last_error) == (
        remind_outbox.Status.PENDING, 1, "连接被拒绝",
    )  # fmt: skip
    # …after it the second failure is the last one today.
    _config(tmp_path, robot, smtp[0], max_attempts=2, retry_after_minutes=0)
    store = open_store(data, actor="tester")
    with store.write() as c:
        c.execute("UPDATE remind_outbox SET next_try=NULL")
    store.close()
    assert remind(data, "--to", "一支部") == exit_codes.TEMP_FAIL
    (row,) = _outbox(data)
    assert (row.status, row.attempts) == (remind_outbox.Status.GAVE_UP, 2)
    server = _serve_robot(robot, port)  # back, but today's digest was given up
    try:
        assert remind(data, "--to", "一支部") == exit_codes.TEMP_FAIL
        assert robot.posts == []
    finally:
        server.shutdown()
        server.server_close()


def test_a_wrong_dingtalk_secret_is_refused_by_the_server_and_recorded(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], capsys
) -> None:
    cfg = _config(tmp_path, robot, smtp[0])
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(SECRET, "SECwrong"), encoding="utf-8")
    assert remind(data, "--to", "二支部") == exit_codes.TEMP_FAIL
    (post,) = robot.on("/dingtalk")
    assert post["sign_ok"] is False
    assert "errcode 310000" in capsys.readouterr().err
    (row,) = _outbox(data)
    assert row.status is remind_outbox.Status.PENDING and "310000" in row.last_error


def test_a_robot_that_does_not_answer_fails_within_the_timeout(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], capsys
) -> None:
    robot.hang_seconds = 3
    _config(tmp_path, robot, smtp[0], timeout_seconds=0.5)
    started = time.monotonic()
    assert remind(data, "--to", "一支部") == exit_codes.TEMP_FAIL
    assert time.monotonic() - started < 2.5
    assert "0.5 秒内没有响应" in capsys.readouterr().err


def test_no_write_lock_is_held_while_a_message_is_on_the_network(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox]
) -> None:
    robot.db_path = data
    _config(tmp_path, robot, smtp[0])
    assert remind(data) == exit_codes.OK
    assert robot.db_free_during_send == [True, True]


def test_dry_run_prints_each_digest_and_sends_nothing(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], capsys
) -> None:
    _config(tmp_path, robot, smtp[0])
    assert remind(data, "--dry-run") == exit_codes.OK
    out = capsys.readouterr().out
    assert robot.posts == [] and smtp[1].messages == [] and _outbox(data) == []
    first = out.index("======== 支部 一支部 ========")
    second = out.index("======== 支部 二支部 ========")
    section = out[first:second]
    assert "试运行，未发送：支部 一支部 → 企业微信" in section
    assert "支部工作提醒（11月22日）：一支部" in section
    assert "· 一支部：支委会（10月）未开，已逾期" in section
    assert "· 陈静：联系已逾期3天" in section
    # Someone the items name but the config does not: shown, never sent.
    assert "======== 个人 张伟 ========" in out
    assert "未配置渠道，不会发送：个人 张伟" in out
    # Without a config file a dry run still shows everyone's digest.
    assert remind(data, "--dry-run", "--to", "二支部") == exit_codes.OK
    out = capsys.readouterr().out
    assert "======== 支部 二支部 ========" in out and "选题报备逾期" in out
    assert "一支部" not in out


def test_to_limits_the_run_to_one_recipient(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], capsys
) -> None:
    _config(tmp_path, robot, smtp[0])
    assert remind(data, "--to", "王芳") == exit_codes.OK
    assert robot.posts == [] and len(smtp[1].messages) == 1
    assert remind(data, "--to", "没有这个人") == exit_codes.USAGE
    assert "「没有这个人」不在配置的接收人中" in capsys.readouterr().err
    assert remind(data, "--to", "张伟") == exit_codes.USAGE  # no channel
    assert "「张伟」不在配置的接收人中" in capsys.readouterr().err
    assert remind(data, "--dry-run", "--to", "没有这个人") == exit_codes.USAGE
    assert "没有叫「没有这个人」的接收人" in capsys.readouterr().err


def test_configuration_errors_have_their_exit_codes(data: Path, capsys) -> None:
    assert remind(data) == exit_codes.USAGE  # sending needs someone to send to
    assert "[[remind.branches]]" in capsys.readouterr().err
    _write_config("[remind\n")
    assert remind(data) == exit_codes.CONFIG  # the config file's own code, with its line
    assert "第 1 行" in capsys.readouterr().err
    _write_config('[remind]\n[[remind.people]]\nname = "王芳"\nemail = "w@x.cn"\n')
    assert remind(data) == exit_codes.CONFIG
    assert "[remind.smtp]" in capsys.readouterr().err
    _write_config('[remind]\n[[remind.branches]]\nname = "一支部"\nwecom = "x"\n')
    assert remind(data) == exit_codes.CONFIG  # a misspelt key
    err = capsys.readouterr().err
    assert "remind.branches.0.wecom：未知的设置项" in err
    _write_config('[remind]\n[[remind.branches]]\nname = "一支部"\nwecom_webhook = "ftp://x"\n')
    assert remind(data) == exit_codes.CONFIG
    assert "https://" in capsys.readouterr().err
    _write_config("")
    missing_db = Path(os.environ["ZHIBU_SYSTEM_CONFIG"]).parent / "nope" / "z.db"
    assert main(["--db", str(missing_db), "remind", "--dry-run"]) == exit_codes.NO_INPUT
    assert not missing_db.parent.exists()


def test_zhibu_config_shows_no_secret(
    tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], capsys
) -> None:
    path = _config(tmp_path, robot, smtp[0])
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'sender = "zhibu@example.com"', 'sender = "zhibu@example.com"\npassword = "pw-0451"'
        ),
        encoding="utf-8",
    )
    assert main(["config"]) == exit_codes.OK
    out = capsys.readouterr().out
    assert "remind.branches" in out and "remind.smtp.host" in out
    for secret in ("test-key", "test-token", SECRET, "pw-0451"):
        assert secret not in out
    assert "**********" in out


def test_the_installed_command_sends(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox]
) -> None:
    zhibu = Path(sys.executable).with_name("zhibu")
    _config(tmp_path, robot, smtp[0])
    r = subprocess.run(
        [str(zhibu), "--db", str(data), "remind", "--date", DAY, "--to", "一支部"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "已发送：支部 一支部 → 企业微信" in r.stdout
    assert "一支部：支委会（10月）未开，已逾期" in _wecom_text(robot)


def test_dingtalk_sign_matches_the_documented_recipe() -> None:
    # Independent of the server above: the recipe as DingTalk's own sample
    # computes it (quote_plus of the base64 HMAC).
    ts, secret = 1_700_000_000_000, "SECabc"
    mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert dingtalk_sign(ts, secret) == urllib.parse.quote_plus(base64.b64encode(mac))


def test_digest_markdown_shows_markup_characters_as_typed(store: Store) -> None:
    from domain.dashboard import DueItem, Urgency
    from domain.reminders import Digest, Kind

    d = Digest(
        Kind.BRANCH,
        "一支部",
        TODAY,
        (DueItem("党课", "**题目** [链接](x) <b>", urgency=Urgency.DUE),),
    )
    md = d.markdown()
    assert "**题目**" not in md and "[链接](x)" not in md and "<b>" not in md
    assert "＊＊题目＊＊ ［链接］(x) ＜b＞" in md
    assert "**题目** [链接](x) <b>" in d.text()  # mail and text messages: as typed


def test_a_digest_not_sent_one_day_is_replaced_by_the_next_days(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox]
) -> None:
    robot.fail_next = 1
    _config(tmp_path, robot, smtp[0])
    assert remind(data, "--to", "一支部") == exit_codes.TEMP_FAIL
    assert main(["--db", str(data), "remind", "--date", "2026-11-23", "--to", "一支部"]) == 0
    assert len(robot.on("/wecom")) == 1  # one digest, the 23rd's
    assert "（11月23日）" in _wecom_text(robot)
    assert [(r.day, r.status) for r in _outbox(data)] == [
        (TODAY, remind_outbox.Status.SUPERSEDED),
        (dt.date(2026, 11, 23), remind_outbox.Status.SENT),
    ]


def test_every_due_line_of_the_home_screen_reaches_someone(demo_store: Store, today: date) -> None:
    """A workflow's 今日 line that is due or late names who acts or its branch,
    or no reminder ever carries it (the problem list and tasks join here once
    their home lines set owner / branch). 党费 lines name a member's arrears:
    deliberately sent to nobody."""
    from services.home import due_items
    from services.private_details import Reader

    items = due_items(demo_store, today, who=Reader(), everything=True)
    due = [i for i in items if i.urgency >= Urgency.DUE]
    assert {i.section for i in due} >= {"党课", "一人一事", "发展党员", "补学"}
    lost = sorted({(i.section, i.text) for i in due if not (i.owner or i.branch)})
    assert [x for x in lost if x[0] != "党费"] == []


def test_a_digest_is_not_cut_at_the_home_screens_limits(data: Path, capsys) -> None:
    """今日 shows 12 decisions; 张伟's digest has all eight of his."""
    from domain.action_codes import ActionKind
    from domain.action_items import ActionItem
    from services import home
    from storage import action_items

    store = open_store(data, actor="tester")
    for n in range(2):
        action_items.save_action(store, ActionItem(
            kind=ActionKind.DECISION, text=f"整改第{n + 1}项", owner_name="张伟",
            deadline=TODAY - dt.timedelta(days=1),
        ))  # fmt: skip
    on_home = [i for i in home.due_items(store, TODAY) if i.section == "决议"]
    store.close()
    assert len(on_home) == 12
    assert remind(data, "--dry-run", "--to", "张伟") == exit_codes.OK
    out = capsys.readouterr().out
    assert out.count("· 决议 张伟：") == 8 and "整改第2项" in out


# --- SMTP over TLS ----------------------------------------------------------------


@pytest.fixture
def tls_cert(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test's own CA)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _smtp_config(tmp_path: Path, port: int, smtp_lines: str) -> Path:
    return _write_config(
        f"""
[remind]
retry_after_minutes = 0
timeout_seconds = 5

[remind.smtp]
host = "127.0.0.1"
port = {port}
sender = "zhibu@example.com"
{smtp_lines}

[[remind.people]]
name = "王芳"
email = "wangfang@example.com"
"""
    )


def test_mail_over_starttls_with_a_login_and_the_companys_own_ca(
    data: Path, tmp_path: Path, tls_cert: tuple[Path, Path], capsys
) -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = tls_cert
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: object, session: object, envelope: object, mechanism: str,
                      auth: object) -> AuthResult:  # fmt: skip
        assert isinstance(auth, LoginPassword)
        logins.append((auth.login, auth.password))
        # handled=False: aiosmtpd answers 535 itself on a failure
        return AuthResult(success=auth.password == "口令-secret".encode(), handled=False)

    box, port = Mailbox(), _free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True,
        authenticator=authenticator, auth_required=True,
    )  # fmt: skip
    controller.start()
    try:
        login = 'username = "zhibu"\npassword = "口令-secret"\nstarttls = true\n'
        # Without the CA the certificate is refused: nothing is sent in clear.
        _smtp_config(tmp_path, port, login)
        assert remind(data) == exit_codes.TEMP_FAIL
        assert "证书无法验证" in capsys.readouterr().err and box.messages == []
        with_ca = login + f'ca_file = "{cert}"\n'
        _smtp_config(tmp_path, port, with_ca.replace("口令-secret", "错的"))
        assert remind(data) == exit_codes.TEMP_FAIL
        assert "发信服务器拒绝了用户名或密码" in capsys.readouterr().err
        _smtp_config(tmp_path, port, with_ca)
        assert remind(data) == exit_codes.OK
    finally:
        controller.stop()
    assert logins == [(b"zhibu", "错的".encode()), (b"zhibu", "口令-secret".encode())]
    ((rcpt, msg),) = box.messages
    assert rcpt == ["wangfang@example.com"] and "陈静：联系已逾期3天" in msg.get_content()


def test_mail_over_implicit_tls(data: Path, tmp_path: Path, tls_cert: tuple[Path, Path]) -> None:
    cert, key = tls_cert
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    box, port = Mailbox(), _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, ssl_context=server_tls)
    controller.start()
    try:
        _smtp_config(tmp_path, port, f'use_ssl = true\nca_file = "{cert}"\n')
        assert remind(data) == exit_codes.OK
    finally:
        controller.stop()
    ((rcpt, msg),) = box.messages
    subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    assert rcpt == ["wangfang@example.com"] and subject.startswith("支部工作提醒（11月22日）：王芳")


def test_a_long_digest_is_cut_at_a_line_within_the_robots_limit(robot: Robot) -> None:
    from domain.dashboard import DueItem
    from domain.reminders import Digest, Kind, Recipient
    from services import remind_send

    items = tuple(
        DueItem("一人一事", f"第{n}件：联系已逾期{n}天", urgency=Urgency.OVERDUE)
        for n in range(300)
    )
    digest = Digest(Kind.BRANCH, "一支部", TODAY, items)
    remind_send.send_wecom(Recipient(name="一支部", wecom_webhook=robot.url("/wecom")), digest, 3)
    content = _wecom_text(robot)
    assert len(content.encode()) <= remind_send.WECOM_MARKDOWN_LIMIT
    assert content.endswith("……（内容过长，其余请在支部工作台中查看）")
    assert "第0件" in content and "第299件" not in content
    assert all(line.endswith("天") for line in content.splitlines() if line.startswith("- "))


def test_an_unexpected_error_in_one_channel_does_not_stop_the_others(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox], monkeypatch, capsys
) -> None:
    from services import remind_send

    def broken(*_args: object) -> None:
        raise KeyError("x")

    monkeypatch.setattr(remind_send, "send_wecom", broken)
    _config(tmp_path, robot, smtp[0])
    assert remind(data) == exit_codes.TEMP_FAIL
    assert "意外错误（KeyError）" in capsys.readouterr().err
    assert [p["path"] for p in robot.posts] == ["/dingtalk"] and len(smtp[1].messages) == 1
    rows = {r.channel: r.status for r in _outbox(data)}
    assert rows["wecom"] is remind_outbox.Status.PENDING


def test_two_runs_at_once_send_each_digest_once(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox]
) -> None:
    """Two timers firing together (or a manual run during the timer's): the
    row claimed by one run is left alone by the other."""
    robot.hang_seconds = 1.0  # both runs are sending at the same time
    _config(tmp_path, robot, smtp[0])
    zhibu = Path(sys.executable).with_name("zhibu")
    cmd = [str(zhibu), "--db", str(data), "remind", "--date", DAY]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]  # fmt: skip
    results = [r.communicate(timeout=60) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], results
    assert sorted(p["path"] for p in robot.posts) == ["/dingtalk", "/wecom"]
    assert len(smtp[1].messages) == 1
    assert all(r.status is remind_outbox.Status.SENT for r in _outbox(data))


def test_problems_and_tasks_reach_their_branch_their_owner_and_the_general_branch(
    data: Path, tmp_path: Path, robot: Robot, smtp: tuple[int, Mailbox]
) -> None:
    """问题清单 and 党总支任务 (their 今日 lines, storage.loop_home): a problem
    goes to its branch and its 责任人, a task to the branch it was assigned
    to, and what is late to the 党总支 as 党总支督办."""
    from domain.problems import Problem, ProblemSource
    from domain.tasks import Task
    from services import problems
    from storage import tasks

    store = open_store(data, actor="tester")
    general = store.query_one("SELECT id, name FROM org_units WHERE name='测试党总支'")
    assert general is not None
    (b1,) = [b for b in org.branches(store) if b.name == "一支部"]
    (b2,) = [b for b in org.branches(store) if b.name == "二支部"]
    wang = store.query_one("SELECT id, name FROM people WHERE name='王芳'")
    zhang = store.query_one("SELECT id, name FROM people WHERE name='张伟'")
    assert wang and zhang
    problems.file_problem(store, Problem.model_validate(dict(
        branch_id=b1.id, source=ProblemSource.HAZARD, source_text="冬季隐患排查",
        found_on=dt.date(2026, 11, 1), text="灭火器过期未更换", measures="联系安全员更换",
        owner_id=wang["id"], owner_name="王芳", deadline=dt.date(2026, 11, 15),
        verifier_id=zhang["id"], verifier_name="张伟",
    )))  # fmt: skip
    tasks.save_task(store, Task(
        general_id=general["id"], general_name="测试党总支", title="报送四季度党建小结",
        assigned_on=dt.date(2026, 11, 1), due=dt.date(2026, 11, 20), branch_ids=[b2.id],
    ))  # fmt: skip
    store.close()
    path = _config(tmp_path, robot, smtp[0])
    path.write_text(
        path.read_text(encoding="utf-8")
        + f'\n[[remind.branches]]\nname = "测试党总支"\nwecom_webhook = "{robot.url("/general")}"\n',
        encoding="utf-8",
    )
    assert remind(data) == exit_codes.OK
    one = _wecom_text(robot)
    assert "**问题清单**" in one and "王芳：灭火器过期未更换（逾期 7 天）" in one
    (ding,) = robot.on("/dingtalk")
    assert "**党总支任务**" in ding["json"]["markdown"]["text"]
    assert "二支部：报送四季度党建小结（逾期 2 天）" in ding["json"]["markdown"]["text"]
    (top,) = robot.on("/general")
    text = top["json"]["markdown"]["content"]
    assert "**党总支督办**" in text
    assert (
        "一支部 问题：灭火器过期未更换" in text and "任务“报送四季度党建小结”1 个支部未完成" in text
    )
    assert "一支部 决议 6 项逾期未销号" in text
    ((_, mail),) = smtp[1].messages  # 王芳, the 责任人: her problem, and that it went up
    body = mail.get_content().replace("\r\n", "\n")
    assert "【问题清单】" in body and "王芳：灭火器过期未更换（逾期 7 天）" in body
    assert "【党总支督办】\n· 【逾期】一支部 问题：灭火器过期未更换" in body
    assert "任务" not in body  # the branch's task is the branch's
