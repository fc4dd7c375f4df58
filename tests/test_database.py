import subprocess
import sys

import pytest
from peewee import OperationalError

from database import end_of_request, is_sqlite, write_transaction
from models import Setting


def test_connection_kept_between_requests_but_not_after_a_database_error(client, database):
    """Does a request leave its thread's connection open for the next one, unless the request hit a database error?"""
    client.get("/healthz")
    assert not database.is_closed()
    end_of_request(database, ValueError("not a database problem"))
    assert not database.is_closed()
    end_of_request(database, OperationalError("server closed the connection unexpectedly"))
    assert database.is_closed()


def _sqlite_path(database):
    if not is_sqlite(database.obj):
        pytest.skip("SQLite only: PostgreSQL queues writers with its row locks")
    return database.obj.database


def test_sqlite_writers_of_other_processes_wait_on_the_lock_file(database):
    """While one SQLite write transaction runs, does another process find the writers' lock
    file beside the database taken, and free again after the commit?"""
    lock_file = f"{_sqlite_path(database)}-writer.lock"
    probe = [sys.executable, "-c", TRY_LOCK, lock_file]
    with write_transaction(database):
        Setting.create(key="probe", value="1")
        assert subprocess.run(probe, capture_output=True, text=True).stdout == "busy"
    assert subprocess.run(probe, capture_output=True, text=True).stdout == "free"


TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a") as lock_file:
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("free", end="")
    except BlockingIOError:
        print("busy", end="")
"""


def test_nested_write_transactions_do_not_wait_on_themselves(database):
    """Does a write transaction opened inside another become a savepoint of it, not a deadlock?"""
    _sqlite_path(database)
    with write_transaction(database), write_transaction(database):
        Setting.create(key="nested", value="1")
    assert Setting.get(Setting.key == "nested").value == "1"
