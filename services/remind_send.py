"""The three ways a reminder leaves the machine, standard library only, each
with a timeout: 企业微信 and 钉钉 group-robot webhooks (urllib.request, JSON
POST; a proxy in https_proxy / no_proxy is honoured, as urllib reads them)
and SMTP mail (smtplib: STARTTLS or TLS from the start, as configured).

A sender returns nothing on success and raises SendFailed with a short
reason (never the webhook's key or the password) on any failure: the caller
records it in the outbox and retries on the next run.
"""

from __future__ import annotations

import base64
import http.client
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from domain.reminders import Channel, Digest, Recipient, SmtpConfig, dingtalk_url, secret

# What 企业微信 accepts in one markdown message (bytes of UTF-8); a longer
# digest is cut at a line with a note, the whole list being in the app.
WECOM_MARKDOWN_LIMIT = 4096
WECOM_TEXT_LIMIT = 2048
DINGTALK_LIMIT = 18000


class SendFailed(Exception):
    """A send did not go through; str() is the reason, in Chinese, without secrets."""


def _cut(text: str, limit: int) -> str:
    if len(text.encode()) <= limit:
        return text
    tail = "\n……（内容过长，其余请在支部工作台中查看）"
    room = limit - len(tail.encode())
    lines, used = [], 0
    for line in text.split("\n"):
        size = len(line.encode()) + 1
        if used + size > room:
            break
        lines.append(line)
        used += size
    return "\n".join(lines) + tail


def _post_json(url: str, payload: dict[str, object], timeout: float) -> None:
    """POST *payload*; both robots answer HTTP 200 with {"errcode": 0} on
    success and a non-zero errcode (bad key, bad signature, rate limit) otherwise."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            body = resp.read(65536)
    except urllib.error.HTTPError as e:
        raise SendFailed(f"服务器返回 HTTP {e.code}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, TimeoutError):
            raise SendFailed(f"{timeout:g} 秒内没有响应") from None
        if isinstance(reason, ConnectionRefusedError):
            raise SendFailed("连接被拒绝") from None
        raise SendFailed(f"无法连接（{type(reason).__name__}）") from None
    try:
        answer = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SendFailed("服务器的回复无法识别") from None
    code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if code not in (0, "0"):
        msg = str(answer.get("errmsg", ""))[:120]
        raise SendFailed(f"机器人拒绝了消息（errcode {code}：{msg}）")


def send_wecom(r: Recipient, digest: Digest, timeout: float) -> None:
    if r.wecom_msgtype == "text":
        payload: dict[str, object] = {
            "msgtype": "text",
            "text": {"content": _cut(digest.text(), WECOM_TEXT_LIMIT)},
        }
    else:
        payload = {
            "msgtype": "markdown",
            "markdown": {"content": _cut(digest.markdown(), WECOM_MARKDOWN_LIMIT)},
        }
    _post_json(secret(r.wecom_webhook), payload, timeout)


def send_dingtalk(r: Recipient, digest: Digest, timeout: float) -> None:
    url = dingtalk_url(
        secret(r.dingtalk_webhook), secret(r.dingtalk_secret), int(time.time() * 1000)
    )
    payload: dict[str, object] = {
        "msgtype": "markdown",
        "markdown": {"title": digest.title, "text": _cut(digest.markdown(), DINGTALK_LIMIT)},
    }
    _post_json(url, payload, timeout)


def mail_message(smtp: SmtpConfig, to: str, digest: Digest) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((str(Header("支部工作台", "utf-8")), smtp.sender))
    msg["To"] = to
    msg["Subject"] = digest.title
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    msg.set_content(digest.text(), charset="utf-8")
    return msg


def _login(s: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib's login encodes the credentials as ASCII and fails on anything
    else; a non-ASCII user or password goes as AUTH PLAIN in UTF-8 (RFC 4616)."""
    if (username + password).isascii():
        s.login(username, password)
        return
    s.ehlo_or_helo_if_needed()
    if "PLAIN" not in s.esmtp_features.get("auth", "").upper().split():
        raise SendFailed("发信服务器不支持非 ASCII 的用户名或密码（AUTH PLAIN）")
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode()
    code, _resp = s.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, _resp)


def send_mail(smtp: SmtpConfig, r: Recipient, digest: Digest, timeout: float) -> None:
    assert r.email
    msg = mail_message(smtp, r.email, digest)
    try:
        context = ssl.create_default_context(cafile=smtp.ca_file or None)
    except (OSError, ssl.SSLError):
        raise SendFailed(f"无法读取 ca_file：{smtp.ca_file}") from None
    try:
        if smtp.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        with client as s:
            if smtp.starttls:
                s.starttls(context=context)
            if smtp.username:
                _login(s, smtp.username, secret(smtp.password))
            s.send_message(msg)
    except smtplib.SMTPAuthenticationError:
        raise SendFailed("发信服务器拒绝了用户名或密码") from None
    except smtplib.SMTPResponseException as e:
        raise SendFailed(f"发信服务器拒绝（{e.smtp_code}）") from None
    except smtplib.SMTPException as e:
        raise SendFailed(f"发信失败（{type(e).__name__}）") from None
    except ssl.SSLCertVerificationError:
        raise SendFailed("发信服务器的证书无法验证（可用 ca_file 指定签发它的 CA）") from None
    except ssl.SSLError as e:
        raise SendFailed(f"与发信服务器的加密连接失败（{e.reason or type(e).__name__}）") from None
    except ConnectionRefusedError:
        raise SendFailed("连接发信服务器被拒绝") from None
    except TimeoutError:
        raise SendFailed(f"发信服务器 {timeout:g} 秒内没有响应") from None
    except OSError as e:
        raise SendFailed(f"无法连接发信服务器（{type(e).__name__}）") from None


def send(
    channel: Channel, r: Recipient, digest: Digest, smtp: SmtpConfig | None, timeout: float
) -> None:
    if channel is Channel.WECOM:
        send_wecom(r, digest, timeout)
    elif channel is Channel.DINGTALK:
        send_dingtalk(r, digest, timeout)
    else:
        if smtp is None:  # the config model refuses this; kept for the type checker
            raise SendFailed("没有配置发信服务器")
        send_mail(smtp, r, digest, timeout)
