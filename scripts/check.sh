#!/usr/bin/env bash
# Everything a reviewer checks, in the order that fails fastest: lint, format,
# types, then the tests (which include the Xvfb smoke tests and the wheel check:
# a wheel built from the tracked files, installed in a fresh venv outside the
# repository and started there). Run after `bash scripts/setup.sh --test`.
# Extra arguments go to pytest, e.g. `bash scripts/check.sh -x -k wheel`.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
step() { printf '\n== %s\n' "$*"; }
step "ruff check";          .venv/bin/ruff check .
step "ruff format --check"; .venv/bin/ruff format --check .
step "mypy";                .venv/bin/mypy
step "pytest";              .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
