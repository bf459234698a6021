#!/bin/sh
# Offline installer of 支部工作台 (zhibu), shipped inside the bundle that
# offline/build.py makes. POSIX sh: it runs on old site systems (Kylin V10,
# UOS) whose own Python is 3.7 and where bash may be missing.
#
#   sh install.sh [--prefix DIR] [--python PATH]
#
# Verifies SHA256SUMS, finds a Python >= 3.11 (the one named, else python3.13,
# python3.12, python3.11, python3 on PATH), creates a venv in
# PREFIX/lib/zhibu/venv-VERSION-TIME, installs the bundled wheels with no index at
# all, links PREFIX/bin/zhibu, and prints what it did (docs/OFFLINE.md).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=""
PYTHON=""

say() { printf '%s\n' "$*"; }
die() { printf 'zhibu 安装：%s\n' "$*" >&2; exit "${2:-1}"; }

usage() {
    cat <<'EOF'
用法：sh install.sh [--prefix 目录] [--python Python路径]

  --prefix 目录    安装位置（默认：root 为 /usr/local，普通用户为 ~/.local）；
                   程序装在 目录/lib/zhibu/，命令链接为 目录/bin/zhibu
  --python 路径    使用这个 Python（须 3.11 或更高）；默认依次查找
                   python3.13、python3.12、python3.11、python3
  -h, --help       显示本说明
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || die "--prefix 后面要写目录" 2; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --python) [ $# -ge 2 ] || die "--python 后面要写 Python 的路径" 2; PYTHON=$2; shift 2 ;;
        --python=*) PYTHON=${1#--python=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "不认识的参数：$1" 2 ;;
    esac
done

[ -f "$HERE/VERSION" ] && [ -f "$HERE/SHA256SUMS" ] && [ -d "$HERE/wheels" ] \
    || die "$HERE 不是完整的离线安装包（缺少 VERSION、SHA256SUMS 或 wheels/）"
VERSION=$(cat "$HERE/VERSION")

if [ -z "$PREFIX" ]; then
    if [ "$(id -u)" = 0 ]; then PREFIX=/usr/local; else PREFIX="$HOME/.local"; fi
fi

# -- a Python >= 3.11 -----------------------------------------------------------
py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; }

if [ -n "$PYTHON" ]; then
    command -v "$PYTHON" >/dev/null 2>&1 || [ -x "$PYTHON" ] || die "找不到指定的 Python：$PYTHON"
    if ! py_ok "$PYTHON"; then
        die "指定的 Python（$PYTHON）版本是 $(py_version "$PYTHON" || echo 未知)，支部工作台需要 Python 3.11 或更高版本。"
    fi
else
    SEEN=""
    for cand in python3.13 python3.12 python3.11 python3; do
        if command -v "$cand" >/dev/null 2>&1; then
            if py_ok "$cand"; then PYTHON=$(command -v "$cand"); break; fi
            SEEN="$SEEN $cand（$(py_version "$cand" || echo 未知)）"
        fi
    done
    if [ -z "$PYTHON" ]; then
        die "没有找到 Python 3.11 或更高版本。已查找 python3.13、python3.12、python3.11、python3；\
找到的：${SEEN:- 无}。系统自带的 Python 3.7 不能运行支部工作台。请先安装 Python 3.11+\
（例如编译安装到 /usr/local），再运行：sh install.sh --python /usr/local/bin/python3.11"
    fi
fi
PYV=$(py_version "$PYTHON")
ARCH=$(uname -m)
case "$ARCH" in amd64) ARCH=x86_64 ;; arm64) ARCH=aarch64 ;; esac
if [ -f "$HERE/TARGETS" ] && ! grep -qx "$ARCH $PYV" "$HERE/TARGETS"; then
    die "此安装包不含 $ARCH 上 Python $PYV 的文件；包含的是：$(tr '\n' ';' < "$HERE/TARGETS")请换用其中之一的 Python（--python），或重新构建安装包。"
fi

# -- checksums ------------------------------------------------------------------
say "校验文件（SHA-256）……"
if command -v sha256sum >/dev/null 2>&1; then
    (cd "$HERE" && sha256sum -c --quiet SHA256SUMS) >/dev/null 2>&1 || {
        (cd "$HERE" && sha256sum -c --quiet SHA256SUMS 2>&1 | sed 's/^/  /' >&2) || true
        die "校验失败：安装包中有文件损坏或被改动，请重新拷贝完整的安装包。"
    }
else
    (cd "$HERE" && "$PYTHON" - <<'EOF'
import hashlib, sys
bad = []
for line in open("SHA256SUMS", encoding="utf-8"):
    digest, name = line.rstrip("\n").split("  ", 1)
    try:
        with open(name, "rb") as f:
            ok = hashlib.sha256(f.read()).hexdigest() == digest
    except OSError:
        ok = False
    if not ok:
        bad.append(name)
for name in bad:
    print("  " + name, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
    ) || die "校验失败：安装包中有文件损坏或被改动，请重新拷贝完整的安装包。"
fi
say "  全部 $(grep -c . "$HERE/SHA256SUMS") 个文件校验通过"

# -- venv and install -----------------------------------------------------------
LIB="$PREFIX/lib/zhibu"
# A new folder each time (venvs cannot be moved): the running version stays
# intact until the new one is installed, then `current` switches to it.
VENV="$LIB/venv-$VERSION-$(date +%Y%m%d%H%M%S)"
BIN="$PREFIX/bin"
mkdir -p "$LIB" "$BIN" || die "不能创建 $LIB 或 $BIN（权限不够？可用 --prefix 装到自己的目录）"
say "创建虚拟环境 $VENV（$PYTHON，Python $PYV）……"
"$PYTHON" -m venv "$VENV" || die "不能用 $PYTHON 创建虚拟环境。Debian/Ubuntu 上请先安装 python$PYV-venv；\
自己编译的 Python 须带 ensurepip。"

say "从安装包安装（不联网）……"
# No configuration file, no index, no cache: only the bundle's wheels count.
PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    "$VENV/bin/python" -m pip install --quiet --no-index --only-binary=:all: \
    --find-links "$HERE/wheels" "zhibu==$VERSION" \
    || { rm -rf "$VENV"; die "安装失败（见上面 pip 的信息）；原有的安装没有改动。"; }

# Switch only now: a failed install above leaves the previous version working.
ln -sfn "$(basename "$VENV")" "$LIB/current"
ln -sf "$LIB/current/bin/zhibu" "$BIN/zhibu"
for old in "$LIB"/venv-*; do
    [ "$old" = "$VENV" ] || [ ! -d "$old" ] || rm -rf "$old"
done

INSTALLED=$("$BIN/zhibu" --help >/dev/null 2>&1 && echo ok || echo fail)
[ "$INSTALLED" = ok ] || die "已安装，但 $BIN/zhibu 不能运行，请检查 $VENV"

say ""
say "支部工作台 $VERSION 已安装："
say "  Python：      $PYTHON（$PYV）"
say "  程序：        $VENV"
say "  命令：        $BIN/zhibu -> $LIB/current/bin/zhibu"
case ":$PATH:" in
    *":$BIN:"*) ;;
    *) say "  注意：$BIN 不在 PATH 中，请把 export PATH=\"$BIN:\$PATH\" 加入 ~/.profile" ;;
esac
say "试用：zhibu demo --db ~/演示.db && zhibu --db ~/演示.db"
