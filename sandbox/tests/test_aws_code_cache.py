"""The code cache on its own: versions share the files they have in common (hard links, modes kept)
and get bytecode Python loads where the source is, compiled once per source."""

import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path

from aws.agent_host import extract
from aws.code_cache import CodeCache
from test_aws_agent_host import zip_of

FILE = stat.S_IFREG


def cache(tmp_path: Path) -> CodeCache:
    return CodeCache(tmp_path / "files", tmp_path / "bytecode")


def test_versions_share_the_files_they_have_in_common_and_nothing_else(tmp_path):
    shared = cache(tmp_path)
    first = [("lib/util.py", b"X = 1\n", FILE | 0o644), ("agent.py", b"print('one')\n", FILE | 0o644),
             ("lib/secret.txt", b"s", FILE | 0o600)]
    second = [("lib/util.py", b"X = 1\n", FILE | 0o644), ("agent.py", b"print('two')\n", FILE | 0o644),
              ("lib/secret.txt", b"s", FILE | 0o644)]  # the same bytes, another mode
    extract(zip_of(first), tmp_path / "v1", shared)
    extract(zip_of(second), tmp_path / "v2", shared)

    def inode(version, name):
        return (tmp_path / version / name).stat().st_ino

    assert inode("v1", "lib/util.py") == inode("v2", "lib/util.py")
    assert inode("v1", "agent.py") != inode("v2", "agent.py")
    assert (tmp_path / "v2" / "agent.py").read_bytes() == b"print('two')\n"
    assert inode("v1", "lib/secret.txt") != inode("v2", "lib/secret.txt"), "a mode is the file's own"
    assert stat.S_IMODE((tmp_path / "v1" / "lib/secret.txt").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "v2" / "lib/secret.txt").stat().st_mode) == 0o644


def test_bytecode_is_compiled_once_and_loaded_where_the_source_is(tmp_path):
    shared = cache(tmp_path)
    python, minor = sys.executable, sys.version_info.minor
    package = [("pkg/__init__.py", b"", FILE | 0o644), ("pkg/mod.py", b"VALUE = 41 + 1\n", FILE | 0o644)]
    extract(zip_of(package), tmp_path / "v1", shared)
    compile_later = shared.add_bytecode(tmp_path / "v1", python, minor)
    assert not (tmp_path / "v1" / "pkg" / "__pycache__").exists(), "nothing compiled before the first start"
    compile_later()
    extract(zip_of(package), tmp_path / "v2", shared)
    assert shared.add_bytecode(tmp_path / "v2", python, minor) is None, "nothing left to compile"
    compiled = tmp_path / "v2" / "pkg" / "__pycache__" / f"mod.cpython-3{minor}.pyc"
    assert compiled.read_bytes()[4:8] == (1).to_bytes(4, "little"), "unchecked-hash bytecode (PEP 552 flags = 1)"
    assert len(list((tmp_path / "bytecode" / f"cpython-3{minor}").glob("*.pyc"))) == 2, "compiled once for both versions"

    # A fresh interpreter imports the module from the placed bytecode, naming the source it sits beside.
    script = ("import sys; sys.dont_write_bytecode = True; import pkg.mod; "
              "print(pkg.mod.VALUE, pkg.mod.__cached__, pkg.mod.__spec__.loader.get_code('pkg.mod').co_filename)")
    shown = subprocess.run([python, "-c", script], cwd=tmp_path / "v2", capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["42", str(compiled), str(tmp_path / "v2" / "pkg" / "mod.py")]


def test_bytecode_the_package_brings_is_kept(tmp_path):
    shared = cache(tmp_path)
    minor = sys.version_info.minor
    own = f"pkg/__pycache__/mod.cpython-3{minor}.pyc"
    extract(zip_of([("pkg/mod.py", b"A = 1\n", FILE | 0o644), (own, b"the package's own", FILE | 0o644)]), tmp_path / "v1", shared)
    assert shared.add_bytecode(tmp_path / "v1", sys.executable, minor) is None
    assert (tmp_path / "v1" / own).read_bytes() == b"the package's own"


def test_a_source_that_does_not_compile_gets_no_bytecode(tmp_path):
    shared = cache(tmp_path)
    minor = sys.version_info.minor
    files = [("broken.py", b"def (:\n", FILE | 0o644), ("fine.py", b"B = 2\n", FILE | 0o644)]
    extract(zip_of(files), tmp_path / "v1", shared)
    shared.add_bytecode(tmp_path / "v1", sys.executable, minor)()
    extract(zip_of(files), tmp_path / "v2", shared)
    shared.add_bytecode(tmp_path / "v2", sys.executable, minor)  # broken.py is still missing: compiled at import, or not
    assert not (tmp_path / "v2" / "__pycache__" / f"broken.cpython-3{minor}.pyc").exists()
    assert os.path.exists(importlib.util.cache_from_source(str(tmp_path / "v2" / "fine.py")))


def test_host_builds_are_shared_too(tmp_path):
    shared = cache(tmp_path)
    builds = tmp_path / "builds"
    (builds / "native").mkdir(parents=True)
    (builds / "native" / "core.py").write_text("C = 3\n")
    (builds / ".complete").write_text("done\n")
    for version in ("v1", "v2"):
        (tmp_path / version / "native").mkdir(parents=True)
        (tmp_path / version / "native" / "core.py").write_text("the ARM64 build\n")
        shared.copy_tree(builds, tmp_path / version)
    assert (tmp_path / "v1" / "native" / "core.py").read_text() == "C = 3\n"
    assert (tmp_path / "v1" / "native" / "core.py").stat().st_ino == (tmp_path / "v2" / "native" / "core.py").stat().st_ino
    assert not (tmp_path / "v1" / ".complete").exists()
