"""The offline bundle (`make bundle`, offline/build.py) and its installer
(offline/install.sh): built for this machine's architecture and Python (set
ZHIBU_BUNDLE_ALL=1 to build every target, x86_64 and aarch64 × 3.11–3.13),
installed into a fresh prefix with every package index disabled, then run.

Building needs the package index the first time; the wheels are cached in
~/.cache/zhibu-bundle (ZHIBU_BUNDLE_CACHE) and a rebuild uses no network.
The installer's refusals (no Python ≥ 3.11, a damaged file) need no bundle
of real wheels and run anywhere.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL = ROOT / "offline" / "install.sh"


def _no_index_env(home: Path) -> dict[str, str]:
    """As on a site server: no index, no pip configuration, nothing to find."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env.update(
        PIP_NO_INDEX="1",
        PIP_INDEX_URL="http://127.0.0.1:9/nothing-here/simple",
        PIP_EXTRA_INDEX_URL="",
        PIP_CONFIG_FILE=os.devnull,
        HOME=str(home),
        ZHIBU_EXPORT_DIR=str(home / "exports"),
    )
    return env


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    targets = [] if os.environ.get("ZHIBU_BUNDLE_ALL") else ["--current"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "offline" / "build.py"), "--out", str(out), *targets],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (folder,) = out.glob("zhibu-offline-*/")
    return folder


@pytest.mark.bundle
@pytest.mark.xdist_group("bundle")
def test_bundle_installs_and_runs_with_every_index_disabled(bundle: Path, tmp_path: Path) -> None:
    # What the bundle holds: the installer, checksums of every file, wheels only.
    sums = (bundle / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*")
                   if p.is_file() and p.name != "SHA256SUMS")  # fmt: skip
    assert sorted(line.split("  ", 1)[1] for line in sums) == files
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest
    wheels = [p.name for p in (bundle / "wheels").iterdir()]
    assert all(w.endswith(".whl") for w in wheels)
    assert any(w.startswith("zhibu-") for w in wheels)
    assert any(w.startswith("pydantic_core-") and "manylinux" in w for w in wheels)
    assert (bundle.parent / f"{bundle.name}.tar.gz").exists()

    home = tmp_path / "home"
    home.mkdir()
    prefix = tmp_path / "opt"
    env = _no_index_env(home)
    done = subprocess.run(["sh", str(bundle / "install.sh"), "--prefix", str(prefix)],
                          capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    zhibu = prefix / "bin" / "zhibu"
    assert "已安装" in done.stdout and str(zhibu) in done.stdout and "校验通过" in done.stdout
    assert zhibu.is_symlink() and os.access(zhibu, os.X_OK)
    venv = (prefix / "lib" / "zhibu" / "current").resolve()
    assert (venv / "pyvenv.cfg").exists()

    helped = subprocess.run([str(zhibu), "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0 and "支部工作台" in helped.stdout
    if "--version" in helped.stdout:  # `zhibu --version` (the config work) when present
        ver = subprocess.run([str(zhibu), "--version"], capture_output=True, text=True, env=env)
        assert ver.returncode == 0
        assert (bundle / "VERSION").read_text().strip() in ver.stdout + ver.stderr
    db = tmp_path / "演示.db"
    demo = subprocess.run([str(zhibu), "demo", "--db", str(db)], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "演示数据库已生成" in demo.stdout and db.stat().st_size > 0
    check = subprocess.run([str(zhibu), "check", "--db", str(db)], capture_output=True,
                           text=True, env=env)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr

    # Installing again replaces the venv and keeps one.
    again = subprocess.run(["sh", str(bundle / "install.sh"), "--prefix", str(prefix)],
                           capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(list((prefix / "lib" / "zhibu").glob("venv-*"))) == 1


# -- the installer's refusals, on a stand-in bundle ---------------------------------


def _fake_bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "zhibu-offline-0.0.0"
    (folder / "wheels").mkdir(parents=True)
    shutil.copy2(INSTALL, folder / "install.sh")
    (folder / "VERSION").write_text("0.0.0\n")
    (folder / "wheels" / "zhibu-0.0.0-py3-none-any.whl").write_bytes(b"not really a wheel")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    (folder / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(folder).as_posix()}\n"
        for p in files
    ))  # fmt: skip
    return folder


def _old_system(tmp_path: Path) -> Path:
    """A PATH with the usual tools and a python3 that is 3.7, as on Kylin V10."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "dirname", "cat", "id", "uname", "grep", "tr", "sed", "sha256sum",
                 "mkdir", "rm", "ln", "date", "basename"):  # fmt: skip
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    fake = bin_dir / "python3"
    fake.write_text('#!/bin/sh\ncase "$2" in *print*) echo 3.7;; *) exit 1;; esac\n')
    fake.chmod(0o755)
    return bin_dir


def test_install_says_in_chinese_when_no_python_3_11_is_there(tmp_path: Path) -> None:
    folder = _fake_bundle(tmp_path)
    env = {"PATH": str(_old_system(tmp_path)), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run(["sh", str(folder / "install.sh"), "--prefix", str(tmp_path / "p")],
                          capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode != 0
    assert "没有找到 Python 3.11 或更高版本" in done.stderr
    assert "python3（3.7）" in done.stderr and "--python" in done.stderr
    assert not (tmp_path / "p").exists()  # nothing written


def test_install_refuses_a_named_python_that_is_too_old(tmp_path: Path) -> None:
    folder = _fake_bundle(tmp_path)
    bin_dir = _old_system(tmp_path)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(["sh", str(folder / "install.sh"), "--python", str(bin_dir / "python3"),
                           "--prefix", str(tmp_path / "p")], capture_output=True, text=True,
                          env=env)  # fmt: skip
    assert done.returncode != 0
    assert "版本是 3.7" in done.stderr and "3.11 或更高" in done.stderr


def test_install_refuses_a_damaged_bundle_before_touching_the_prefix(tmp_path: Path) -> None:
    folder = _fake_bundle(tmp_path)
    (folder / "wheels" / "zhibu-0.0.0-py3-none-any.whl").write_bytes(b"changed on the USB stick")
    env = {**_no_index_env(tmp_path), "PATH": os.environ["PATH"]}
    done = subprocess.run(["sh", str(folder / "install.sh"), "--prefix", str(tmp_path / "p"),
                           "--python", sys.executable], capture_output=True, text=True,
                          env=env)  # fmt: skip
    assert done.returncode != 0
    assert "校验失败" in done.stderr and "zhibu-0.0.0-py3-none-any.whl" in done.stderr
    assert not (tmp_path / "p").exists()


def test_install_rejects_an_unknown_option_in_chinese(tmp_path: Path) -> None:
    folder = _fake_bundle(tmp_path)
    done = subprocess.run(["sh", str(folder / "install.sh"), "--prefx", "/x"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and "不认识的参数：--prefx" in done.stderr


def test_every_package_of_the_app_ships_in_the_wheel() -> None:
    """`pipx install .`, `uv tool install .` and the bundle install the wheel:
    a top-level package left out of it would import on a clone and fail
    installed."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = set(config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    found = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert found == shipped
    assert config["project"]["scripts"]["zhibu"] == "tui.cli:main"


def test_without_sha256sum_python_checks_and_a_failed_install_changes_nothing(
    tmp_path: Path,
) -> None:
    """Where coreutils lack sha256sum the installer's Python checks the files;
    a wheel pip cannot install leaves no command link and no venv behind."""
    folder = _fake_bundle(tmp_path)
    bin_dir = _old_system(tmp_path)
    (bin_dir / "sha256sum").unlink()
    (bin_dir / "python3").unlink()
    (bin_dir / "python3.11").symlink_to(sys.executable)
    env = {**_no_index_env(tmp_path), "PATH": str(bin_dir)}
    prefix = tmp_path / "p"
    done = subprocess.run(["sh", str(folder / "install.sh"), "--prefix", str(prefix)],
                          capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "校验通过" in done.stdout  # checked by Python's hashlib
    assert "安装失败" in done.stderr and "原有的安装没有改动" in done.stderr
    assert not (prefix / "bin" / "zhibu").exists()
    assert not list((prefix / "lib" / "zhibu").glob("venv-*"))
    assert not (prefix / "lib" / "zhibu" / "current").exists()
    # And a damaged file is caught the same way.
    (folder / "VERSION").write_text("0.0.1\n")
    again = subprocess.run(["sh", str(folder / "install.sh"), "--prefix", str(prefix)],
                           capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert again.returncode == 1 and "校验失败" in again.stderr and "VERSION" in again.stderr
