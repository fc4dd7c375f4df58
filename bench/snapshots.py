"""Benchmark of the daily snapshot (DESIGN §4) on a city-sized ledger: 100,000 cards imported
through ``import-cards`` (200,000 rows with their stage history), then ``snapshot`` (dump, trial
restore into scratch SQLite, manifest) and ``restore``, against the database's own copy of the
same data in the same run: SQLite's online backup API, or ``pg_dump -Fc`` with ``--postgres``.

    .venv/bin/python bench/snapshots.py [--rows N] [--postgres postgresql://...]
"""

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ledger_import import ledger_arguments, migrated_app, postgres_schema  # noqa: E402
from cli import import_cards_command, restore_command, snapshot_command  # noqa: E402
from models import db  # noqa: E402
from tests.card_csv import card_rows, csv_bytes  # noqa: E402


def main():
    arguments = ledger_arguments(__doc__)
    with tempfile.TemporaryDirectory() as folder:
        cards = Path(folder) / "cards.csv"
        cards.write_bytes(csv_bytes(card_rows(arguments.rows)))
        database = Path(folder) / "bench.sqlite3"
        measure("SQLite", f"sqlite:///{database}", folder, cards, lambda: sqlite_backup(database, folder))
        if arguments.postgres:
            with postgres_schema(arguments.postgres) as url:
                measure("PostgreSQL", url, folder, cards, lambda: pg_dump(url, folder))


def measure(label, url, folder, cards, baseline):
    backup_dir = Path(folder) / f"backups-{label}"
    app = migrated_app(url, folder, BACKUP_DIR=str(backup_dir))
    runner = app.test_cli_runner()
    invoke(runner, import_cards_command, str(cards))
    copying = timed(baseline)
    snapshotting = timed(lambda: invoke(runner, snapshot_command))
    name = sorted(path.name for path in backup_dir.iterdir())[0]
    restoring = timed(lambda: invoke(runner, restore_command, name, "--yes"))
    size = sum(path.stat().st_size for path in (backup_dir / name).rglob("*") if path.is_file())
    print(
        f"{label}: baseline (the database's own copy) {copying:.2f} s; snapshot with its trial restore "
        f"{snapshotting:.2f} s ({snapshotting / copying:.1f}×), {size / 1e6:.1f} MB; "
        f"restore (a snapshot of the current state first) {restoring:.2f} s ({restoring / copying:.1f}×)"
    )
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()


def invoke(runner, command, *arguments):
    result = runner.invoke(command, list(arguments))
    if result.exit_code != 0:
        raise SystemExit(f"{command.name} に失敗しました:\n{result.output}")


def timed(action):
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def sqlite_backup(database, folder):
    target = Path(folder) / "baseline.sqlite3"
    with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    target.unlink()


def pg_dump(url, folder):
    if not shutil.which("pg_dump"):
        raise SystemExit("pg_dump がありません(Debian パッケージ postgresql-client)。")
    server_url, _, options = url.partition("?")
    schema = options.rsplit("%3D", 1)[-1]
    target = Path(folder) / "baseline.dump"
    subprocess.run(["pg_dump", "-Fc", "-n", schema, "-f", str(target), server_url], check=True)
    target.unlink()


if __name__ == "__main__":
    main()
