import datetime
import gzip
import hashlib
import json

import pytest

import snapshots
from cli import migration_runner
from document_store import current_store
from models import AuditLog, Document, Reservation, User
from rules.uploads import original_key
from tests.factories import gen_application, gen_reservation, gen_user

TAKEN_AT = datetime.datetime(2026, 12, 4, 2, 30)


@pytest.fixture
def backup_dir(app):
    return app.config["BACKUP_DIR"]


@pytest.fixture
def store(app):
    with app.app_context():
        return current_store()


def gen_document(data=b"scanned page", **fields):
    sha256 = hashlib.sha256(data).hexdigest()
    return Document.create(
        application=fields.pop("application", None) or gen_application(),
        original_filename="scan.pdf",
        mime="application/pdf",
        size=len(data),
        sha256=sha256,
        stored_path=original_key(sha256),
        **fields,
    )


def take(backup_dir, store, at=TAKEN_AT):
    return snapshots.take(backup_dir, store, migration_runner().applied(), at=at)


def rows_of(model):
    return list(model.select().order_by(model.id).dicts())


def test_restore_brings_back_every_row_and_ids_continue(database, backup_dir, store):
    """After rows are changed and deleted, does a restore give back exactly the snapshot's rows,
    log itself, and let new rows take ids after the restored ones?"""
    reservation = gen_reservation(name="安芸　太郎", birth_date=datetime.date(1975, 1, 31))
    gen_user("supervisor")
    users, reservations = rows_of(User), rows_of(Reservation)
    snapshot = take(backup_dir, store)
    Reservation.update(name="書き換え").execute()
    gen_reservation()
    User.delete().where(User.role == "supervisor").execute()

    snapshots.restore(snapshot, store, migration_runner().applied())

    assert rows_of(User) == users and rows_of(Reservation) == reservations
    restored = Reservation.get_by_id(reservation.id)
    assert (restored.name, restored.birth_date) == ("安芸　太郎", datetime.date(1975, 1, 31))
    latest_audit = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (latest_audit.action, latest_audit.object_id) == ("restore", snapshot.name)
    assert gen_user("viewer").id == max(row["id"] for row in users) + 1


def test_documents_are_copied_once_then_linked_and_put_back_on_restore(database, backup_dir, store, app):
    """Does the first snapshot copy each document file, the next one share it by a hard link, and
    a restore put back a file the store has lost?"""
    document = gen_document()
    store.put(document.stored_path, b"scanned page")
    first = take(backup_dir, store)
    second = take(backup_dir, store, at=TAKEN_AT + datetime.timedelta(days=1))
    assert (first.manifest["documents"]["copied"], second.manifest["documents"]["linked"]) == (1, 1)
    first_copy = first.path / "documents" / document.stored_path
    assert first_copy.stat().st_ino == (second.path / "documents" / document.stored_path).stat().st_ino

    lost = store._path(document.stored_path)
    lost.unlink()
    snapshots.restore(second, store, migration_runner().applied())
    assert store.get(document.stored_path) == b"scanned page"


def test_a_document_missing_from_the_store_is_reported(database, backup_dir, store):
    """Does the manifest name a document the database refers to but the store does not hold?"""
    document = gen_document()
    assert take(backup_dir, store).manifest["missing_documents"] == [document.stored_path]


def test_a_damaged_original_is_refused_when_copied(database, backup_dir, store):
    """Is an original whose bytes no longer hash to its name refused, with no sealed snapshot left?"""
    store.put(original_key(hashlib.sha256(b"what was scanned").hexdigest()), b"something else")
    with pytest.raises(snapshots.SnapshotError, match="破損"):
        take(backup_dir, store)
    assert snapshots.all_snapshots(backup_dir) == []


def _rewrite_dump(snapshot, edit):
    path = snapshot.path / snapshots.DUMP
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    path.write_bytes(gzip.compress("".join(edit(lines)).encode()))


def test_verification_finds_a_damaged_dump(database, backup_dir, store):
    """Is a dump changed after the snapshot refused: by its checksum, and by the trial restore
    when the checksum was forged too?"""
    gen_user("clerk", login="sato")
    snapshot = take(backup_dir, store)
    _rewrite_dump(snapshot, lambda lines: [line.replace('"sato"', '"kato"') for line in lines])
    with pytest.raises(snapshots.SnapshotError, match="チェックサム不一致"):
        snapshots.verify(snapshot)
    forged = {**snapshot.manifest, "dump_sha256": snapshots._file_sha256(snapshot.path / snapshots.DUMP)}
    with pytest.raises(snapshots.SnapshotError, match="内容が一致しません: user"):
        snapshots.verify(snapshots.Snapshot(snapshot.path, forged))


def test_a_failing_restore_changes_nothing(database, backup_dir, store, monkeypatch):
    """When a row of the dump cannot be inserted, is the database left exactly as it was?"""
    gen_reservation(created_by=gen_user("clerk"))
    snapshot = take(backup_dir, store)
    gen_user("viewer")
    before = rows_of(User), rows_of(Reservation)

    def duplicate_first_user(lines):
        header = next(index for index, line in enumerate(lines) if '"table":"user"' in line)
        return [*lines[: header + 2], lines[header + 1], *lines[header + 2 :]]

    _rewrite_dump(snapshot, duplicate_first_user)
    monkeypatch.setattr(snapshots, "verify", lambda snapshot: None)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        snapshots.restore(snapshot, store, migration_runner().applied())
    assert (rows_of(User), rows_of(Reservation)) == before


def test_a_snapshot_of_a_newer_version_is_refused(database, backup_dir, store):
    """Is a snapshot whose migrations this version does not know refused before anything changes?"""
    snapshot = take(backup_dir, store)
    newer = {**snapshot.manifest, "migrations": [*snapshot.manifest["migrations"], "0099_future"]}
    with pytest.raises(snapshots.SnapshotError, match="0099_future"):
        snapshots.restore(snapshots.Snapshot(snapshot.path, newer), store, migration_runner().applied())


def test_prune_keeps_the_window_and_the_newest(database, backup_dir, store):
    """Does pruning delete snapshots and unfinished folders older than the window, yet always keep
    the newest sealed snapshot?"""
    old = take(backup_dir, store, at=TAKEN_AT - datetime.timedelta(days=20))
    recent = take(backup_dir, store, at=TAKEN_AT - datetime.timedelta(days=2))
    unfinished = old.path.parent / "20261101-020000"
    unfinished.mkdir()
    assert snapshots.prune(backup_dir, keep_days=14, at=TAKEN_AT) == ["20261101-020000", old.name]
    assert [snapshot.name for snapshot in snapshots.all_snapshots(backup_dir)] == [recent.name]
    assert snapshots.prune(backup_dir, keep_days=1, at=TAKEN_AT + datetime.timedelta(days=30)) == []


def test_snapshots_in_the_same_second_get_their_own_folders(database, backup_dir, store):
    """Do two snapshots taken in one second both survive, in order?"""
    first, second = take(backup_dir, store), take(backup_dir, store)
    assert second.name == f"{first.name}-2"
    assert [snapshot.name for snapshot in snapshots.all_snapshots(backup_dir)] == [first.name, second.name]


def test_commands_take_list_verify_and_restore(runner, database, backup_dir):
    """Do the commands take a verified snapshot, list it, check it again, and restore it (keeping
    the state before the restore as a snapshot too)?"""
    gen_user("clerk", login="sato")
    taken = runner.invoke(args=["snapshot"])
    assert taken.exit_code == 0, taken.output
    assert "試しに復元して検証しました" in taken.output
    [snapshot] = snapshots.all_snapshots(backup_dir)
    assert snapshot.name in runner.invoke(args=["snapshots"]).output
    assert "正常です" in runner.invoke(args=["verify-snapshot", snapshot.name]).output

    User.delete().execute()
    declined = runner.invoke(args=["restore", snapshot.name], input="n\n")
    assert declined.exit_code != 0 and User.select().count() == 0
    restored = runner.invoke(args=["restore", snapshot.name, "--yes"])
    assert restored.exit_code == 0, restored.output
    assert User.get(User.login == "sato") and len(snapshots.all_snapshots(backup_dir)) == 2


def test_commands_explain_an_unknown_or_unfinished_snapshot(runner, database, backup_dir):
    """Is restoring a snapshot that does not exist, or was never finished, refused in Japanese?"""
    unknown = runner.invoke(args=["restore", "20200101-000000", "--yes"])
    assert unknown.exit_code != 0 and "ありません" in unknown.output
    (snapshots.Path(backup_dir) / "20200101-000000").mkdir(parents=True)
    unfinished = runner.invoke(args=["verify-snapshot", "20200101-000000"])
    assert unfinished.exit_code != 0 and "未完成" in unfinished.output


def test_manifest_names_every_table_with_its_rows(database, backup_dir, store):
    """Does the manifest count every table's rows, as the dump holds them?"""
    gen_reservation()
    snapshot = take(backup_dir, store)
    manifest = json.loads((snapshot.path / snapshots.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["tables"]["reservation"]["rows"] == 1
    assert set(manifest["tables"]) == {model._meta.table_name for model in snapshots.MODELS}


def test_health_warns_when_there_is_no_recent_snapshot(database, backup_dir, store):
    """Does the health line warn with no snapshot, and again once the newest is more than a day
    and a half old, but not before?"""
    ok, sentence = snapshots.health(backup_dir, TAKEN_AT)
    assert not ok and "まだありません" in sentence
    take(backup_dir, store)
    ok, sentence = snapshots.health(backup_dir, TAKEN_AT + datetime.timedelta(hours=30))
    assert ok and "2026/12/04 02:30" in sentence and "検証済み" in sentence
    ok, sentence = snapshots.health(backup_dir, TAKEN_AT + datetime.timedelta(days=3))
    assert not ok and "3日以上作られていません" in sentence


def test_home_tells_administrators_only_about_snapshots(client, auth, database):
    """Does the staff home show the snapshot warning to an administrator and nothing to a clerk?"""
    gen_user("admin", login="kanri")
    gen_user("clerk", login="madoguchi")
    auth.login("kanri")
    assert "スナップショットがまだありません" in client.get("/admin/").get_data(as_text=True)
    auth.logout()
    auth.login("madoguchi")
    assert 'id="snapshot-health"' not in client.get("/admin/").get_data(as_text=True)
