# The project's Python environment, .venv at the repository root, made by scripts/bootstrap.
# Sourced, after setting $root, by the scripts that run Python: .venv/bin goes first on PATH, so
# python3, pytest, uv, actionlint and zizmor are the pinned ones there and in every process they
# start (the Swift tests' sandbox, and packaging, which looks for uv on PATH).
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "scripts/$(basename "$0"): the project's Python environment $venv is missing; run scripts/bootstrap first" >&2
  exit 1
fi
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
