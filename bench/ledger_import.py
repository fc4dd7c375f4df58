"""Benchmark of the 統合端末 CSV import (issue 5): 100,000 generated CP932 rows imported
through the ``import-cards`` command into a fresh database, against ``pandas.read_csv``
of the same file in the same run. Goal on the 2-core machine: ≤ 10 s and ≤ 15×.

    .venv/bin/python bench/ledger_import.py [--rows N] [--postgres postgresql://...]
"""

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
import psycopg2  # noqa: E402

from app import create_app  # noqa: E402
from cli import import_cards_command, upgrade_schema  # noqa: E402
from models import Card, CardEvent, db  # noqa: E402
from tests.card_csv import card_rows, csv_bytes  # noqa: E402


def main():
    arguments = ledger_arguments(__doc__)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards.csv"
        path.write_bytes(csv_bytes(card_rows(arguments.rows)))
        print(f"{arguments.rows:,}行 / {path.stat().st_size / 1e6:.1f} MB (CP932)")
        reading = best_of(3, lambda: pd.read_csv(path, encoding="cp932", dtype=str, keep_default_na=False))
        print(f"pandas.read_csv: {reading:.3f} 秒")
        measure("SQLite", f"sqlite:///{folder}/bench.sqlite3", folder, path, arguments.rows, reading)
        if arguments.postgres:
            with postgres_schema(arguments.postgres) as url:
                measure("PostgreSQL", url, folder, path, arguments.rows, reading)


def ledger_arguments(description):
    """--rows and --postgres, as the ledger benchmarks take them."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL の URL(一時スキーマを作って測り、最後に削除)")
    return parser.parse_args()


def migrated_app(url, folder, **config):
    """An app on a freshly migrated database at ``url``."""
    app = create_app({"DATABASE_URL": url, "DATA_DIR": folder, "SECRET_KEY": "bench", "SITE": "public", **config})
    with app.app_context(), db.connection_context():
        upgrade_schema()
    return app


def best_of(times, action):
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return min(durations)


def measure(label, url, folder, path, rows, reading):
    app = migrated_app(url, folder)
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(import_cards_command, [str(path)])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"取込に失敗しました:\n{result.output}")
    with app.app_context(), db.connection_context():
        counts = (Card.select().count(), CardEvent.select().count())
    if counts != (rows, rows):
        raise SystemExit(f"登録件数が合いません: カード {counts[0]}, 工程履歴 {counts[1]}")
    verdict = "達成" if seconds <= 10 and seconds / reading <= 15 else "未達"
    print(
        f"{label}: {seconds:.2f} 秒, {rows / seconds:,.0f} 行/秒, read_csv の {seconds / reading:.1f} 倍"
        f" (目標 10 秒以内・15 倍以内: {verdict})"
    )
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()


class postgres_schema:
    """A throw-away schema on the server, as the test fixtures make one."""

    def __init__(self, server_url):
        self.server_url = server_url
        self.schema = f"kofu_bench_{uuid.uuid4().hex[:8]}"

    def __enter__(self):
        self._execute(f"CREATE SCHEMA {self.schema}")
        separator = "&" if "?" in self.server_url else "?"
        return f"{self.server_url}{separator}options=-csearch_path%3D{self.schema}"

    def __exit__(self, *_exc):
        self._execute(f"DROP SCHEMA {self.schema} CASCADE")

    def _execute(self, statement):
        connection = psycopg2.connect(self.server_url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
        connection.close()


if __name__ == "__main__":
    main()
