"""The project's Python environment (.venv, made by scripts/bootstrap) for the scripts written in
Python, whichever python3 started them: the Python counterpart of scripts/lib/venv.sh."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"


def enter(bootstrap=True):
    """Runs the calling script again with .venv's Python and .venv/bin first on PATH (so its
    children find the sandbox's packages and the pinned uv), after scripts/bootstrap unless told
    not to; only sets PATH when the script already runs there."""
    in_venv = Path(sys.prefix).resolve() == VENV.resolve()  # .venv may be a link to another checkout's
    if bootstrap and not in_venv:
        subprocess.run(["bash", str(ROOT / "scripts" / "bootstrap")], check=True)
    python = VENV / "bin" / "python"
    if not python.exists():
        sys.exit(f"scripts/{Path(sys.argv[0]).name}: the project's Python environment {VENV} is missing; run scripts/bootstrap first")
    os.environ["VIRTUAL_ENV"] = str(VENV)
    if not os.environ.get("PATH", "").startswith(f"{VENV / 'bin'}{os.pathsep}"):
        os.environ["PATH"] = f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    if not in_venv:
        os.execv(python, [str(python), sys.argv[0], *sys.argv[1:]])
