"""Host-platform builds for the binary wheels of an extracted code zip.

A package for AgentCore holds ARM64 (Graviton) builds of its binary dependencies, which an
x86-64 machine cannot load. As the packager's start-up check does with its host-platform twin,
the sandbox swaps in this machine's builds of exactly those distributions, same name and
version, installed with `uv pip install --python <interpreter> --target <dir>`. Only the
platform is swapped: a wheel built for another Python version stays, and fails as it would on
AgentCore. The installs are cached by what decides them, so each dependency set installs once.
"""

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

CACHE_FORMAT = "sandbox-host-wheels 1"


class HostWheelError(Exception):
    """The host builds could not be installed; the message says why and what to do."""


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str
    dist_info: Path  # the `*.dist-info` directory in the extracted root

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"


def foreign_binary_distributions(root: Path, python_minor: int, machine: str | None = None) -> list[Distribution]:
    """Distributions at `root` whose wheels only run on another platform but do fit `python_minor`."""
    machine = machine or platform.machine()
    found = []
    for wheel_file in sorted(root.glob("*.dist-info/WHEEL")):
        tags = [line.split(":", 1)[1].strip() for line in wheel_file.read_text(errors="replace").splitlines()
                if line.startswith("Tag:")]
        parsed = [tag.split("-") for tag in tags if tag.count("-") == 2]
        if not parsed or all(plat == "any" for _, _, plat in parsed):
            continue  # pure Python: runs anywhere
        if any(_runs_here(plat, machine) for _, _, plat in parsed):
            continue
        if not any(_fits_python(python, abi, python_minor) for python, abi, _ in parsed):
            continue  # built for another Python: leave it to fail as it would on AgentCore
        metadata = _metadata(wheel_file.parent / "METADATA")
        if "Name" in metadata and "Version" in metadata:
            found.append(Distribution(metadata["Name"], metadata["Version"], wheel_file.parent))
    return found


def _runs_here(plat: str, machine: str) -> bool:
    """Whether a wheel's platform tag (`manylinux_2_17_aarch64`, `linux_x86_64`) fits this machine."""
    return sys.platform.startswith("linux") and plat.endswith(f"_{machine}") and plat.startswith(("manylinux", "linux_"))


def _fits_python(python: str, abi: str, minor: int) -> bool:
    for tag in python.split("."):
        if tag in ("py3", f"py3{minor}", f"cp3{minor}"):
            return True
        found = re.fullmatch(r"cp3(\d+)", tag)
        if found and abi == "abi3" and int(found.group(1)) <= minor:
            return True
    return False


def _metadata(path: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return fields
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


def install_host_builds(distributions: list[Distribution], python: str, python_minor: int, cache_dir: Path,
                        uv: str | None = None) -> Path:
    """The directory holding this machine's builds of `distributions` (installed once, then cached)."""
    pins = sorted(d.pin for d in distributions)
    key = hashlib.sha256("\n".join([CACHE_FORMAT, f"3.{python_minor}", platform.machine(), python, *pins]).encode()).hexdigest()
    target = cache_dir / key
    if (target / ".complete").exists():
        return target
    uv = uv or find_uv()
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = cache_dir / f".staging-{uuid.uuid4().hex}"  # renamed into place: a crash never leaves half an entry
    try:
        try:
            result = subprocess.run(
                [uv, "pip", "install", "--quiet", "--no-deps", "--python", python, "--target", str(staging), *pins],
                capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise HostWheelError(f"cannot run uv ({uv}) to install {', '.join(pins)}: {error}") from error
        if result.returncode != 0:
            tail = "\n".join((result.stderr + result.stdout).strip().splitlines()[-8:])
            raise HostWheelError(
                f"installing this machine's builds of {', '.join(pins)} with uv failed; the sandbox needs them "
                f"(and the package index) to run ARM64 wheels here:\n{tail}")
        (staging / ".lock").unlink(missing_ok=True)
        (staging / ".complete").write_text("\n".join(pins) + "\n")
        try:
            staging.rename(target)
        except OSError:
            if not (target / ".complete").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def swap_in(root: Path, distributions: list[Distribution], host_builds: Path, copy_tree=None) -> None:
    """Removes each distribution's files (as its RECORD lists them) from `root`, then copies the
    host builds in (with `copy_tree(source, root)` when given)."""
    resolved_root = root.resolve()
    for distribution in distributions:
        record = distribution.dist_info / "RECORD"
        lines = record.read_text(errors="replace").splitlines() if record.exists() else []
        for line in lines:
            relative = line.rsplit(",", 2)[0]
            path = (root / relative).resolve()
            if path.is_relative_to(resolved_root) and path.is_file():
                path.unlink()
        shutil.rmtree(distribution.dist_info, ignore_errors=True)
    if copy_tree is not None:
        copy_tree(host_builds, root)
    else:
        shutil.copytree(host_builds, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".complete"))


def find_uv() -> str:
    try:
        from uv import find_uv_bin  # the `uv` package of sandbox/requirements.txt

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        pass
    found = shutil.which("uv")
    if found is None:
        raise HostWheelError("uv is not installed; the sandbox installs host builds of binary wheels with it: pip install uv")
    return found
