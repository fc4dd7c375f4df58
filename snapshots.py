"""Snapshots of the database and the document store (DESIGN §4): taken daily, kept N days,
verified by restoring them into a scratch database, restorable by one command.

A snapshot is a folder ``<KOFU_BACKUP_DIR>/<YYYYMMDD-HHMMSS>/`` holding

- ``database.jsonl.gz``: every table, a header line ``{"table": ..., "columns": [...]}`` and then
  one JSON array per row in primary-key order. The values are plain (ISO dates, booleans), so a
  snapshot taken on SQLite restores onto PostgreSQL and back.
- ``documents/``: every key of the document store. A key already in the previous snapshot is a
  hard link to that copy (a key never changes its bytes), so a daily snapshot copies only what is new.
- ``manifest.json``, written last and only after the verification passed: the time, the
  migrations applied, rows and a checksum per table, the dump's SHA-256 and the documents.

A folder without a manifest is incomplete: it is never restored and is pruned like any other.
Binding the models to a scratch database is process-wide, so these functions are for the
command line (``python app.py snapshot``), not for a serving process.
"""

import datetime
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from peewee import BooleanField, DatabaseError, sort_models
from psycopg2.extras import execute_batch

import audit
from database import is_sqlite, make_database, refresh_planner_statistics, write_transaction
from document_store import LocalStore
from models import ALL_MODELS, Document, db
from rules.clock import now

FORMAT = 1
DUMP = "database.jsonl.gz"
MANIFEST = "manifest.json"
DOCUMENTS = "documents"
NAME = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
INSERT_BATCH = 2000
MODELS = sort_models(list(ALL_MODELS))
STALE_AFTER = datetime.timedelta(hours=36)


class SnapshotError(RuntimeError):
    """The snapshot cannot be taken, verified or restored; the message says why, in Japanese."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    manifest: dict

    @property
    def name(self):
        return self.path.name

    @property
    def rows(self):
        return sum(table["rows"] for table in self.manifest["tables"].values())


# --- taking ------------------------------------------------------------------------------------


def take(backup_dir, store, applied_migrations, at=None):
    """Write, verify and seal a snapshot of the bound database and ``store``; return it."""
    at = at or now()
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    previous = latest(backup_dir)
    folder = _new_folder(backup_dir, at)
    tables = _dump_database(folder / DUMP)
    documents = _copy_documents(store, folder / DOCUMENTS, previous.path / DOCUMENTS if previous else None)
    manifest = {
        "format": FORMAT,
        "taken_at": at.isoformat(),
        "database": "sqlite" if is_sqlite(db.obj) else "postgresql",
        "migrations": sorted(applied_migrations),
        "tables": tables,
        "dump_sha256": _file_sha256(folder / DUMP),
        "documents": documents,
        "missing_documents": _missing_documents(folder / DOCUMENTS),
    }
    _verify_dump(folder, manifest)
    _write_manifest(folder, manifest)
    return Snapshot(folder, manifest)


def _new_folder(backup_dir, at):
    """``YYYYMMDD-HHMMSS``, with ``-2``, ``-3``… when that second already has a snapshot."""
    name = at.strftime("%Y%m%d-%H%M%S")
    for suffix in ["", *(f"-{number}" for number in range(2, 100))]:
        try:
            (backup_dir / f"{name}{suffix}").mkdir(mode=0o700)
        except FileExistsError:
            continue
        return backup_dir / f"{name}{suffix}"
    raise SnapshotError(f"{name} のスナップショットが多すぎます。")


def _dump_database(path):
    """Every table in one consistent read; {table: {"rows": n, "sha256": hex}}."""
    tables = {}
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as dump, db.atomic():
        if not is_sqlite(db.obj):
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in MODELS:
            tables[model._meta.table_name] = _dump_table(model, dump)
    return tables


def _dump_table(model, dump):
    heading = {"table": model._meta.table_name, "columns": [field.column_name for field in model._meta.sorted_fields]}
    dump.write(_json_line(heading))
    digest = hashlib.sha256()
    rows = 0
    for line in _table_lines(model):
        dump.write(line)
        digest.update(line.encode())
        rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def _table_lines(model):
    """The table's rows in primary-key order as JSON lines of the driver's own values, which are
    the same text on both databases: SQLite keeps dates and times as the text that ``str()`` of a
    PostgreSQL value gives, so only SQLite's 0/1 booleans need turning into booleans. (Peewee's
    conversion of every value would double the time a snapshot takes.)"""
    database = _bound(model)
    fields = model._meta.sorted_fields
    flags = [index for index, field in enumerate(fields) if isinstance(field, BooleanField)]
    sql, params = model.select(*fields).order_by(model._meta.primary_key).sql()
    if is_sqlite(database):
        cursor = database.execute_sql(sql, params)
    else:
        # A server-side cursor streams the table instead of loading it whole; WITH HOLD because
        # psycopg2 sees peewee's connections in autocommit mode (peewee sends BEGIN itself).
        cursor = database.connection().cursor(name=f"snapshot_{model._meta.table_name}", withhold=True)
        cursor.execute(sql, params)
    for row in cursor:
        if flags and is_sqlite(database):
            row = list(row)
            for index in flags:
                row[index] = None if row[index] is None else bool(row[index])
        yield _json_line(row)
    cursor.close()


def _bound(model):
    """The database ``model`` is bound to now: the app's (behind its proxy) or a scratch one."""
    database = model._meta.database
    return getattr(database, "obj", database)


def _json_line(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"


def _copy_documents(store, target, previous):
    """Copy every key of ``store`` into ``target``, linking what ``previous`` already holds."""
    copies = LocalStore(target)
    counts = {"files": 0, "bytes": 0, "copied": 0, "linked": 0}
    for key in store.all_keys():
        if previous is not None and _link(previous / key, target / key):
            counts["linked"] += 1
        else:
            data = store.get(key)
            _check_content(key, data)
            copies.put(key, data)
            counts["copied"] += 1
        counts["files"] += 1
        counts["bytes"] += (target / key).stat().st_size
    return counts


def _link(source, destination):
    if not source.is_file():
        return False
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
    return True


def _check_content(key, data):
    """An original is stored under its SHA-256: a copy that does not hash to its name is damaged."""
    if key.startswith("originals/") and hashlib.sha256(data).hexdigest() != key.rsplit("/", 1)[-1]:
        raise SnapshotError(f"書類イメージ {key} の内容が保存時のものと一致しません(破損のおそれ)。")


def _missing_documents(folder):
    """Stored paths the database names but the store did not hold: reported, not fatal."""
    paths = Document.select(Document.stored_path).where(~Document.deleted).tuples()
    return sorted(path for (path,) in paths if not (folder / path).is_file())


def _file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(folder, manifest):
    temporary = folder / f"{MANIFEST}.partial"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(folder / MANIFEST)


# --- verifying ---------------------------------------------------------------------------------


def verify(snapshot):
    """Check the dump's checksum and restore it into a scratch SQLite database; raise SnapshotError
    when anything differs from the manifest."""
    _verify_dump(snapshot.path, snapshot.manifest)


def _verify_dump(folder, manifest):
    if _file_sha256(folder / DUMP) != manifest["dump_sha256"]:
        raise SnapshotError(f"スナップショット {folder.name} のデータベース部分が壊れています(チェックサム不一致)。")
    with tempfile.TemporaryDirectory(prefix="kofu-verify-") as scratch_dir:
        scratch = make_database(f"sqlite:///{scratch_dir}/verify.sqlite3")
        with scratch.bind_ctx(MODELS), scratch.connection_context():
            scratch.create_tables(MODELS)
            try:
                with scratch.atomic():
                    _load_rows(folder / DUMP)
            except DatabaseError as error:
                raise SnapshotError(f"スナップショット {folder.name} を試しに復元できません: {error}") from None
            restored = {model._meta.table_name: _table_checksum(model) for model in MODELS}
        scratch.close()
    expected = {table: (entry["rows"], entry["sha256"]) for table, entry in manifest["tables"].items()}
    differing = sorted(table for table in expected if restored.get(table) != expected[table])
    if differing:
        raise SnapshotError(
            f"スナップショット {folder.name} を試しに復元すると内容が一致しません: {', '.join(differing)}"
        )


def _table_checksum(model):
    digest = hashlib.sha256()
    rows = 0
    for line in _table_lines(model):
        digest.update(line.encode())
        rows += 1
    return rows, digest.hexdigest()


# --- restoring ---------------------------------------------------------------------------------


def restore(snapshot, store, applied_migrations):
    """Replace every row of the bound database with the snapshot's, all or nothing, after putting
    back any document the store lacks; the restore itself is the first new audit row."""
    unknown = sorted(set(snapshot.manifest["migrations"]) - set(applied_migrations))
    if unknown:
        raise SnapshotError(
            "このスナップショットは新しい版のkofuで作られています(未知のマイグレーション: "
            f"{', '.join(unknown)})。同じ版以降のkofuで復元してください。"
        )
    verify(snapshot)
    _restore_documents(snapshot.path / DOCUMENTS, store)
    with write_transaction(db):
        for model in reversed(MODELS):
            model.delete().execute()
        _load_rows(snapshot.path / DUMP)
        if not is_sqlite(db.obj):
            _reset_sequences()
        audit.record(
            "restore", model="Snapshot", object_id=snapshot.name, detail=f"{snapshot.rows}行を復元", login="cli"
        )
    refresh_planner_statistics(db, MODELS)


def _restore_documents(folder, store):
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_file() and not store.exists(key):
            store.put(key, path.read_bytes())


def _load_rows(path):
    """Insert the dump's rows into the bound database, streaming, a batch at a time."""
    models = {model._meta.table_name: model for model in MODELS}
    model, fields, batch = None, [], []
    with gzip.open(path, "rt", encoding="utf-8") as dump:
        for line in dump:
            if line.startswith("{"):
                _insert(model, fields, batch)
                heading = json.loads(line)
                model = models.get(heading["table"])
                if model is None:
                    raise SnapshotError(f"このスナップショットには今の版にない表 {heading['table']} があります。")
                fields, batch = [_field(model, column) for column in heading["columns"]], []
                continue
            batch.append(json.loads(line))
            if len(batch) == INSERT_BATCH:
                _insert(model, fields, batch)
                batch = []
    _insert(model, fields, batch)


def _insert(model, fields, rows):
    """One prepared INSERT run for every row (a peewee query per batch costs ~10 µs a value); the
    dump's text dates and times go to the driver as they are, as SQLite stores them and as
    PostgreSQL reads them."""
    if not rows:
        return
    database = _bound(model)
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    placeholders = ", ".join([database.param] * len(fields))
    statement = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({placeholders})'
    cursor = database.cursor()
    if is_sqlite(database):
        cursor.executemany(statement, rows)
    else:
        execute_batch(cursor, statement, rows, page_size=INSERT_BATCH)


def _field(model, column):
    for field in model._meta.sorted_fields:
        if field.column_name == column:
            return field
    raise SnapshotError(f"このスナップショットの列 {model._meta.table_name}.{column} は今の版にありません。")


def _reset_sequences():
    """PostgreSQL: each id sequence continues after the largest restored id."""
    for model in MODELS:
        primary_key = model._meta.primary_key
        if primary_key.field_type != "AUTO":
            continue
        table, column = model._meta.table_name, primary_key.column_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{table}"'
        )


# --- finding and pruning -----------------------------------------------------------------------


def all_snapshots(backup_dir):
    """The sealed snapshots in ``backup_dir``, oldest first."""
    folder = Path(backup_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if NAME.match(path.name) and (path / MANIFEST).is_file():
            found.append(Snapshot(path, json.loads((path / MANIFEST).read_text(encoding="utf-8"))))
    return found


def latest(backup_dir):
    sealed = all_snapshots(backup_dir)
    return sealed[-1] if sealed else None


def find(backup_dir, name):
    for snapshot in all_snapshots(backup_dir):
        if snapshot.name == name:
            return snapshot
    raise SnapshotError(f"スナップショット「{name}」は {backup_dir} にありません(未完成のものは使えません)。")


def health(backup_dir, at):
    """(ok, sentence) about the newest snapshot, for the administrators' home page: not ok when
    there is none, or when the newest is older than STALE_AFTER (the daily run has stopped)."""
    newest = latest(backup_dir)
    if newest is None:
        return False, "スナップショットがまだありません。毎日 python app.py snapshot を実行する設定をしてください。"
    taken = datetime.datetime.fromisoformat(newest.manifest["taken_at"])
    files = newest.manifest["documents"]["files"]
    sentence = (
        f"最新のスナップショットは {taken:%Y/%m/%d %H:%M}"
        f"(試しに復元して検証済み、{newest.rows:,}行、書類ファイル {files:,}件)。"
    )
    if at - taken > STALE_AFTER:
        days = (at - taken).days
        return False, f"{sentence}{days}日以上作られていません。毎日の実行が止まっていないか確認してください。"
    return True, sentence


def prune(backup_dir, keep_days, at=None):
    """Delete snapshot folders, sealed or not, older than ``keep_days``; the newest sealed one is
    always kept. Returns the names deleted."""
    cutoff = (at or now()) - datetime.timedelta(days=keep_days)
    newest = latest(backup_dir)
    deleted = []
    for path in sorted(Path(backup_dir).iterdir()):
        if not NAME.match(path.name) or (newest and path == newest.path):
            continue
        if datetime.datetime.strptime(path.name[:15], "%Y%m%d-%H%M%S") < cutoff:
            shutil.rmtree(path)
            deleted.append(path.name)
    return deleted
