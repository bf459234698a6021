"""Build the offline bundle for site servers with no internet (`make bundle`).

    python offline/build.py [--out DIR] [--current] [--arch x86_64 --arch aarch64]
                            [--python 3.11 --python 3.12 --python 3.13] [--cache DIR]

The bundle (a folder, and a .tar.gz of it beside) holds:

- wheels/: zhibu and every runtime dependency, binary wheels for each
  architecture (manylinux, glibc 2.17 to 2.28: Kylin V10 and UOS have 2.28)
  and CPython version asked for; dependencies published only as source are
  built here into pure-Python wheels first, so the site server never compiles;
- install.sh: the installer (POSIX sh), see docs/OFFLINE.md;
- SHA256SUMS: one line per file, as `sha256sum -c` reads it;
- VERSION, TARGETS (one "arch python" line per target), 安装说明.txt.

Downloads go through pip into a cache (default ~/.cache/zhibu-bundle, or
ZHIBU_BUNDLE_CACHE) that is tried first with no index at all, so a rebuild
with nothing new needs no network.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHES = ("x86_64", "aarch64")
PYTHONS = ("3.11", "3.12", "3.13")
# glibc 2.17 (manylinux2014) up to 2.28: the oldest site systems have 2.28.
GLIBC_MINORS = range(17, 29)
README = """支部工作台（zhibu）离线安装包 {version}

适用：Linux {arches}，Python {pythons}（系统自带的旧版 Python 3.7 不能用，
需另装 3.11 或更高版本）。不需要联网。

安装（三条命令）：
    tar xzf {tarball}
    cd {folder}
    sh install.sh                # root 装到 /usr/local；普通用户装到 ~/.local

可选参数：
    --prefix 目录     装到别处（命令链接在 目录/bin/zhibu）
    --python 路径     指定 Python 3.11+ 解释器

安装后运行：zhibu demo --db ~/演示.db && zhibu --db ~/演示.db
"""


def default_cache() -> Path:
    return Path(os.environ.get("ZHIBU_BUNDLE_CACHE") or "~/.cache/zhibu-bundle").expanduser()


def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def host_arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def host_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def pip(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def run_pip(*args: str) -> None:
    done = pip(*args)
    if done.returncode:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"pip {args[0]} 失败（退出码 {done.returncode}）")


def platform_args(arch: str, py: str) -> list[str]:
    tags = [f"manylinux_2_{m}_{arch}" for m in GLIBC_MINORS] + [f"manylinux2014_{arch}"]
    nodot = py.replace(".", "")
    out = ["--only-binary=:all:", "--implementation", "cp", "--python-version", py]
    for t in tags:
        out += ["--platform", t]
    for abi in (f"cp{nodot}", "abi3", "none"):
        out += ["--abi", abi]
    return out


def build_zhibu_wheel(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("zhibu-*.whl"):
        old.unlink()
    run_pip("wheel", "--no-deps", "-q", "-w", str(dest), str(ROOT))
    (wheel,) = dest.glob("zhibu-*.whl")
    return wheel


def pure_wheels(zhibu: Path, cache: Path) -> Path:
    """Wheels of the dependencies for this Python, built from source where a
    project publishes no wheel; only the pure ones (py3-none-any) are kept:
    they serve every target."""
    host = cache / "host"
    pure = cache / "pure"
    pure.mkdir(parents=True, exist_ok=True)
    offline = pip("wheel", "-q", "--no-index", "--find-links", str(pure), "--find-links",
                  str(host), "-w", str(host), str(zhibu))  # fmt: skip
    if offline.returncode:
        run_pip("wheel", "-q", "-w", str(host), str(zhibu))
    for w in host.glob("*-none-any.whl"):
        if not w.name.startswith("zhibu-"):
            shutil.copy2(w, pure / w.name)
    return pure


def download(zhibu: Path, arch: str, py: str, cache: Path, pure: Path, dest: Path) -> None:
    """Exactly the wheels one target resolves to, into *dest*: from the cache
    with no index if it has them all, else from the index (then cached)."""
    cached = cache / f"{arch}-cp{py.replace('.', '')}"
    cached.mkdir(parents=True, exist_ok=True)
    dest.mkdir(parents=True)
    common = [*platform_args(arch, py), "--find-links", str(pure), str(zhibu)]
    offline = pip("download", "-q", "-d", str(dest), "--no-index", "--find-links", str(cached),
                  *common)  # fmt: skip
    if offline.returncode:
        for w in dest.glob("*"):
            w.unlink()
        print(f"  下载 {arch} / Python {py} 的依赖……", flush=True)
        run_pip("download", "-q", "-d", str(dest), *common)
        for w in dest.glob("*.whl"):
            if not w.name.startswith("zhibu-"):
                shutil.copy2(w, cached / w.name)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build(out: Path, arches: list[str], pythons: list[str], cache: Path) -> Path:
    ver = version()
    folder = out / f"zhibu-offline-{ver}"
    if folder.exists():
        shutil.rmtree(folder)
    wheels = folder / "wheels"
    wheels.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="zhibu-bundle-") as tmp:
        print("构建 zhibu 的 wheel……", flush=True)
        zhibu = build_zhibu_wheel(Path(tmp) / "zhibu")
        print("准备纯 Python 依赖……", flush=True)
        pure = pure_wheels(zhibu, cache)
        for arch in arches:
            for py in pythons:
                print(f"收集 {arch} / Python {py}……", flush=True)
                got = Path(tmp) / f"{arch}-{py}"
                download(zhibu, arch, py, cache, pure, got)
                for w in got.glob("*.whl"):
                    if not w.name.startswith("zhibu-"):
                        shutil.copy2(w, wheels / w.name)
        shutil.copy2(zhibu, wheels / zhibu.name)
    shutil.copy2(ROOT / "offline" / "install.sh", folder / "install.sh")
    (folder / "install.sh").chmod(0o755)
    (folder / "VERSION").write_text(ver + "\n", encoding="utf-8")
    (folder / "TARGETS").write_text(
        "".join(f"{a} {p}\n" for a in arches for p in pythons), encoding="utf-8"
    )
    tarball = f"{folder.name}.tar.gz"
    (folder / "安装说明.txt").write_text(
        README.format(version=ver, arches="、".join(arches), pythons="、".join(pythons),
                      tarball=tarball, folder=folder.name),
        encoding="utf-8",
    )  # fmt: skip
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    (folder / "SHA256SUMS").write_text(
        "".join(f"{sha256(p)}  {p.relative_to(folder).as_posix()}\n" for p in files),
        encoding="utf-8",
    )
    with tarfile.open(out / tarball, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    (out / f"{tarball}.sha256").write_text(f"{sha256(out / tarball)}  {tarball}\n")
    return folder


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="offline/build.py", description="构建离线安装包")
    p.add_argument("--out", type=Path, default=ROOT / "dist", help="输出目录（默认 dist/）")
    p.add_argument("--arch", action="append", choices=ARCHES, help="架构（默认两种都要）")
    p.add_argument("--python", action="append", choices=PYTHONS, help="Python 版本（默认三种）")
    p.add_argument("--current", action="store_true", help="只为本机的架构和 Python 版本构建")
    p.add_argument("--cache", type=Path, default=None, help="下载缓存（默认 ~/.cache/zhibu-bundle）")
    args = p.parse_args(argv)
    if args.current:
        arches, pythons = [host_arch()], [host_python()]
    else:
        arches, pythons = args.arch or list(ARCHES), args.python or list(PYTHONS)
    cache = (args.cache or default_cache()).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    folder = build(args.out.resolve(), arches, pythons, cache)
    n = len(list((folder / "wheels").glob("*.whl")))
    print(f"离线安装包：{folder}（{n} 个 wheel）及 {folder}.tar.gz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
