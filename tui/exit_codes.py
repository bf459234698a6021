"""The exit codes of every `zhibu` command (sysexits.h numbers), in one place.

README ("Exit codes") lists the same table; tests/test_exit_codes.py checks
each code through tui.cli.main and the installed command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.errors import DomainError

OK = 0
USAGE = 2  # a wrong option or value; argparse uses 2 too
DATA = 65  # EX_DATAERR: bad input data or a damaged / too new database
NO_INPUT = 66  # EX_NOINPUT: the database or input file does not exist
UNAVAILABLE = 69  # EX_UNAVAILABLE: the PostgreSQL server cannot be reached
SOFTWARE = 70  # EX_SOFTWARE: an unexpected error (see the crash log)
IO = 74  # EX_IOERR: an output file or folder cannot be written
TEMP_FAIL = 75  # EX_TEMPFAIL: a reminder did not go out; recorded, the next run retries it
NO_PERM = 77  # EX_NOPERM: not an administrator (or the PIN was not given)
CONFIG = 78  # EX_CONFIG: a configuration file cannot be used (services.settings)
# Signals, as shells report them (128 + the signal number); not errors.
HANGUP = 129  # the terminal went away (SIGHUP); drafts were saved
INTERRUPTED = 130  # Ctrl-C

TABLE: dict[int, str] = {
    OK: "成功",
    USAGE: "用法错误（选项或取值不对）",
    DATA: "数据有误，或数据库损坏、版本过新",
    NO_INPUT: "数据库或输入文件不存在（未新建任何文件）",
    UNAVAILABLE: "无法连接数据库服务器（PostgreSQL）",
    SOFTWARE: "意外错误（详情见崩溃日志）",
    IO: "无法写入输出文件或文件夹",
    TEMP_FAIL: "部分提醒未能发出（已记录，下次运行时重试）",
    NO_PERM: "权限不足（不是管理员，或未验证 PIN）",
    CONFIG: "配置文件有误（错误信息给出文件和行号）",
}


def for_error(e: DomainError) -> int:
    """The exit code a command returns when a service raised *e*."""
    from services import errors
    from services.settings import ConfigError

    if isinstance(e, ConfigError):
        return CONFIG
    if isinstance(e, errors.InputMissing):
        return NO_INPUT
    if isinstance(e, errors.BadData):
        return DATA
    if isinstance(e, errors.CannotWrite):
        return IO
    if isinstance(e, errors.Unavailable):
        return UNAVAILABLE
    if isinstance(e, errors.NotPermitted):
        return NO_PERM
    return USAGE  # InvalidInput, NotFound, Refused: the caller asked for something else
