"""The project's virtual environment: scripts/bootstrap makes .venv, reuses it and remakes it; the
scripts run their Python there. Bootstrap runs on a copy of the repository against stubs of
python3, apt-get, dpkg, sudo and swift that log what they were asked, so nothing is installed."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The system python3: answers bootstrap's questions; `-m venv DIR` makes DIR/bin/python and
# python3 links to the stub interpreter below.
PYTHON3 = """#!/bin/sh
case "$*" in
  "-c import ensurepip") [ ! -e "$STUBS/no-ensurepip" ] ;;
  "-c import sys; print(sys.version_info.minor)") echo 11 ;;
  "-m venv "*) mkdir -p "$3/bin" && ln -s "$STUBS/interpreter" "$3/bin/python" && ln -s python "$3/bin/python3" &&
               echo "venv" >> "$STUBS/log" ;;
  *) echo "python3 stub: unexpected $*" >&2; exit 2 ;;
esac
"""
# The venv's interpreter: its version comes from $STUBS/version; pip logs and fails on request.
INTERPRETER = """#!/bin/sh
case "$1" in
  -c) cat "$STUBS/version" ;;
  -m) echo "$*" >> "$STUBS/log"; [ ! -e "$STUBS/pip-fails" ] ;;
esac
"""
LOGGING_COMMAND = """#!/bin/sh
echo "$(basename "$0") $*" >> "$STUBS/log"
"""


class Checkout:
    """A copy of what bootstrap reads, and the stubs it finds first on PATH."""

    def __init__(self, tmp_path):
        self.home, self.repository, self.stubs = tmp_path, tmp_path / "repository", tmp_path / "stubs"
        self.venv = self.repository / ".venv"
        self.requirements = self.repository / "sandbox" / "requirements.txt"
        (self.repository / "scripts").mkdir(parents=True)
        (self.repository / "sandbox").mkdir()
        shutil.copy(ROOT / "scripts" / "bootstrap", self.repository / "scripts" / "bootstrap")
        shutil.copy(ROOT / "sandbox" / "requirements.txt", self.requirements)
        self.stubs.mkdir()
        scripts = {"python3": PYTHON3, "interpreter": INTERPRETER, "apt-get": LOGGING_COMMAND,
                   "dpkg": "#!/bin/sh\nexit 0\n", "swift": "#!/bin/sh\nexit 0\n", "sudo": '#!/bin/sh\nexec "$@"\n'}
        for name, text in scripts.items():
            (self.stubs / name).write_text(text)
            (self.stubs / name).chmod(0o755)
        (self.stubs / "version").write_text("3.11.2\n")
        (self.stubs / "log").write_text("")

    def run(self, path_first=None):
        """Bootstrap's exit status, and what the stubs logged during the run."""
        log = self.stubs / "log"
        before = log.read_text()
        path = f"{self.stubs}:/usr/bin:/bin" if path_first is None else f"{path_first}:{self.stubs}:/usr/bin:/bin"
        result = subprocess.run(["bash", str(self.repository / "scripts" / "bootstrap")], capture_output=True, text=True,
                                env={"PATH": path, "STUBS": str(self.stubs), "HOME": str(self.home)})
        return result.returncode, log.read_text()[len(before):].splitlines()

    def stub(self, name):
        return self.stubs / name


@pytest.fixture
def checkout(tmp_path):
    return Checkout(tmp_path)


def made_and_installed(log, checkout):
    return log == ["venv", f"-m pip install -q --disable-pip-version-check -r {checkout.requirements}"]


def test_bootstrap_makes_the_venv_then_reuses_it(checkout):
    status, log = checkout.run()
    assert status == 0 and made_and_installed(log, checkout), log
    assert "python 3.11.2" in (checkout.venv / ".requirements-stamp").read_text()
    assert checkout.run() == (0, [])


def test_bootstrap_makes_the_venv_again_from_scratch_when_the_requirements_change(checkout):
    checkout.run()
    (checkout.venv / "left-over").write_text("")
    checkout.requirements.write_text(checkout.requirements.read_text() + "six==1.17.0\n")
    status, log = checkout.run()
    assert status == 0 and made_and_installed(log, checkout), log
    assert not (checkout.venv / "left-over").exists()


def test_bootstrap_makes_the_venv_again_with_the_system_python3_from_a_shell_that_activated_it(checkout):
    checkout.run()
    checkout.requirements.write_text(checkout.requirements.read_text() + "six==1.17.0\n")
    status, log = checkout.run(path_first=checkout.venv / "bin")
    assert status == 0 and made_and_installed(log, checkout), log


def test_bootstrap_makes_the_venv_again_when_its_interpreter_changed_version_or_vanished(checkout):
    checkout.run()
    checkout.stub("version").write_text("3.12.1\n")
    status, log = checkout.run()
    assert status == 0 and made_and_installed(log, checkout), log
    (checkout.venv / "bin" / "python").unlink()
    (checkout.venv / "bin" / "python").symlink_to("/nonexistent/python3")
    status, log = checkout.run()
    assert status == 0 and made_and_installed(log, checkout), log


def test_a_failed_install_leaves_no_stamp_and_the_next_run_starts_again(checkout):
    checkout.stub("pip-fails").write_text("")
    status, _ = checkout.run()
    assert status != 0 and not (checkout.venv / ".requirements-stamp").exists()
    checkout.stub("pip-fails").unlink()
    status, log = checkout.run()
    assert status == 0 and made_and_installed(log, checkout), log


def test_bootstrap_installs_the_venv_package_of_that_python_when_ensurepip_is_missing(checkout):
    checkout.stub("no-ensurepip").write_text("")
    status, log = checkout.run()
    assert status == 0, log
    assert log[:2] == ["apt-get update -qq", "apt-get install -y -qq python3.11-venv"], log


def test_scripts_sandbox_without_the_venv_names_the_fix(tmp_path):
    (tmp_path / "scripts" / "lib").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "sandbox", tmp_path / "scripts" / "sandbox")
    shutil.copy(ROOT / "scripts" / "lib" / "venv.sh", tmp_path / "scripts" / "lib" / "venv.sh")
    result = subprocess.run(["bash", str(tmp_path / "scripts" / "sandbox")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "run scripts/bootstrap first" in result.stderr and str(tmp_path / ".venv") in result.stderr


# A Python script of scripts/ that reports where it ended up running.
PROBE = """import os, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import project_venv
project_venv.enter(bootstrap="--no-bootstrap" not in sys.argv)
print(sys.prefix, os.environ["PATH"].split(os.pathsep)[0], sys.argv[1:])
"""


@pytest.fixture
def python_scripts(tmp_path):
    """A repository with project_venv.py, a probe script and a bootstrap that only logs."""
    (tmp_path / "scripts" / "lib").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "lib" / "project_venv.py", tmp_path / "scripts" / "lib" / "project_venv.py")
    (tmp_path / "scripts" / "probe").write_text(PROBE)
    (tmp_path / "scripts" / "bootstrap").write_text(f'echo bootstrapped >> "{tmp_path}/log"\n')
    return tmp_path


def run_probe(root, *arguments):
    # The interpreter the venv was made from, standing in for the system's python3.
    python = getattr(sys, "_base_executable", sys.executable)
    return subprocess.run([python, str(root / "scripts" / "probe"), *arguments], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(root)})


def test_a_python_script_bootstraps_and_runs_again_in_the_venv(python_scripts):
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip",
                    str(python_scripts / ".venv")], check=True)
    result = run_probe(python_scripts, "--runs", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2) == [str(python_scripts / ".venv"), str(python_scripts / ".venv" / "bin"),
                                           "['--runs', '2']\n"]
    assert (python_scripts / "log").read_text() == "bootstrapped\n"
    assert run_probe(python_scripts, "--no-bootstrap").returncode == 0
    assert (python_scripts / "log").read_text() == "bootstrapped\n"


def test_a_python_script_without_the_venv_names_the_fix(python_scripts):
    result = run_probe(python_scripts, "--no-bootstrap")
    assert result.returncode == 1
    assert "run scripts/bootstrap first" in result.stderr


def test_a_python_script_runs_once_in_a_venv_that_links_to_another_checkouts(python_scripts, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("other-checkout") / ".venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(elsewhere)],
                   check=True)
    (python_scripts / ".venv").symlink_to(elsewhere)
    result = subprocess.run([getattr(sys, "_base_executable", sys.executable), str(python_scripts / "scripts" / "probe"),
                             "--no-bootstrap"], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(python_scripts)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("['--no-bootstrap']\n")
