#!/usr/bin/env bash
# Install kofu with its test tools, lint, and run the whole test suite: on SQLite, and once more on
# PostgreSQL when KOFU_TEST_POSTGRES_URL is set (e.g. postgresql://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Two workers: one per core. Tests that share an outside resource are grouped (xdist_group).
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
