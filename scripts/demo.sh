#!/usr/bin/env bash
# Install kofu, create the embedded database with a demo city, and serve it at http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python app.py init-db
.venv/bin/python app.py seed-demo --skip-if-present
exec .venv/bin/python app.py serve --host 127.0.0.1 --port "${PORT:-8080}"
