"""`zhibu config` (the effective settings and where each came from) and
`zhibu help TOPIC` (keys, files, exit codes, config), in Chinese."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import say

if TYPE_CHECKING:
    from services.settings import Settings

TOPICS = {
    "keys": "按键：今日屏幕和全局的按键，以及配置文件 [keys] 中可用的名称",
    "files": "文件：数据库、配置文件、导出文件夹、草稿和崩溃日志在哪里",
    "exit-codes": "退出码：每个数字的含义",
    "config": "配置文件：位置、优先顺序和每一项设置",
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("config", help="显示生效的设置及每项的来源（默认 / 系统文件 / 用户文件 / 环境变量 / 命令行）")
    h = sub.add_parser("help", help="中文帮助：keys 按键，files 文件，exit-codes 退出码，config 配置")
    h.add_argument("topic", nargs="?", choices=tuple(TOPICS), metavar="TOPIC",
                   help="；".join(f"{k}：{v.split('：')[0]}" for k, v in TOPICS.items()))  # fmt: skip


def _value(v: object) -> str:
    if v is None:
        return "（无）"
    return json.dumps(v, ensure_ascii=False)


def run_config(settings: Settings) -> int:
    say("配置文件（后者覆盖前者，环境变量和命令行再覆盖文件）：")
    for source, path, exists in settings.files:
        say(f"  {source.value}：{path}（{'已读取' if exists else '不存在'}）")
    say("")
    say("生效的设置：")
    rows = list(settings.flat())
    width = min(max(len(k) + len(_value(v)) for k, v in rows) + 4, 44)
    for key, value in rows:
        item = f"{key} = {_value(value)}"
        say(f"  {item.ljust(width - 2)}  # {settings.origin_detail(key)}")
    return exit_codes.OK


def run_help(topic: str | None, settings: Settings) -> int:
    if topic is None:
        say("zhibu help TOPIC，TOPIC 为：")
        for name, what in TOPICS.items():
            say(f"  {name.ljust(11)}{what}")
        return exit_codes.OK
    {"keys": _keys, "files": _files, "exit-codes": _exit_codes, "config": _config}[topic](settings)
    return exit_codes.OK


def _keys(settings: Settings) -> None:
    from screens.help import key_label
    from tui.app import remappable_keys

    say("按键（今日屏幕与全局；各屏幕自己的按键按 ? 或 F1 查看）：")
    for bid, b in remappable_keys().items():
        key = settings.keys.get(bid) or b.key
        mark = "（配置文件已改）" if bid in settings.keys else ""
        say(f"  {key_label(key).ljust(10)}{b.description}{mark}    [keys] 中的名称：{bid}")
    say("  F1        帮助（在表单和对话框中也可用）")
    say("  Tab       在字段间移动")
    say("")
    say('改按键：在配置文件中写 [keys]，例如 quit = "ctrl+x"（按键写法同 Textual，如 ctrl+x、f2、x）。')


def _files(settings: Settings) -> None:
    from services.export_folder import default_export_dir
    from storage.paths import data_dir, local_path, resolve_db_target, target_label

    target = resolve_db_target(settings.database)
    db = local_path(target)  # a URL's local companions live in its state folder
    label = target_label(target)
    say(f"数据库：{label}（{settings.origin_detail('database')}；默认 {data_dir()}/zhibu.db）")
    if db != target:
        say(f"本机状态文件夹（PostgreSQL 数据库的草稿、崩溃日志）：{db.parent}/")
    for source, path, exists in settings.files:
        say(f"{source.value}：{path}（{'已读取' if exists else '不存在'}）")
    say(f"导出文件夹：{default_export_dir()}（{settings.origin_detail('export_dir')}）")
    say(f"草稿：未能写入数据库的草稿暂存在 {db.parent}/.{db.name}.drafts-<用户号>/")
    say(f"崩溃日志：{db.parent}/zhibu-crash.log（不含字段内容）")


def _exit_codes(_settings: Settings) -> None:
    say("退出码：")
    for code, what in exit_codes.TABLE.items():
        say(f"  {str(code).rjust(3)}  {what}")
    say(f"  {exit_codes.HANGUP}  终端断开（SIGHUP），草稿已保存")
    say(f"  {exit_codes.INTERRUPTED}  Ctrl-C 中断")


def _config(settings: Settings) -> None:
    for line in CONFIG_HELP.strip("\n").splitlines():
        say(line)


CONFIG_HELP = """
配置文件为 TOML 格式（UTF-8）。读取顺序，后者覆盖前者：
  1. 默认值
  2. 系统配置文件 /etc/zhibu/config.toml（环境变量 ZHIBU_SYSTEM_CONFIG 可指定另一个）
  3. 用户配置文件 ~/.config/zhibu/config.toml（遵循 XDG_CONFIG_HOME）
  4. 环境变量 ZHIBU_DB（数据库）、ZHIBU_EXPORT_DIR（导出文件夹）
  5. 命令行 --db、--theme
表中的项逐项合并：用户文件只改一项时，系统文件的其他项仍然有效。

顶层设置：
  database = "/srv/zhibu/zhibu.db"   共用数据库
  export_dir = "/srv/zhibu/导出"     导出文件夹
  theme = "default"                   default 默认 | ansi16 只用 16 种 ANSI 颜色 | ascii 用 + - | 画边框
[keys]      改按键，名称见 zhibu help keys，例如 quit = "ctrl+x"
[rules.branch]         换届与支部设置：term_years 任期年数、warn_months 提前提醒月数……
[rules.meetings]       表决与选举：committee_majority_of_all、election_accept_exact_four_fifths……
[rules.development]    发展党员的各项期限（月 / 天）
[rules.holidays]       没有放假安排时的假期天数
[rules.dues]           党费比例与欠缴提醒
[rules.participation]  参加率提醒：threshold_percent
[rules.followups]      一人一事的联系、上报、办结期限
[rules.problems]       问题逾期几天报党总支：escalate_after_days
[rules.tasks]          党总支任务检查分值：on_time_points、measure_points
[remind]               提醒渠道
[sync]                 汇总到党委：send_private_details 是否把保密的一人一事详情也送到汇总库（默认 false）

每一项的当前值和来源：zhibu config。
文件有误时，zhibu 指出文件和行号并以退出码 78 退出，不启动。
"""
