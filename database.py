"""Turn a database URL into a peewee database: SQLite (embedded) or pooled PostgreSQL."""

import contextlib
import fcntl
import threading
from pathlib import Path

from peewee import DatabaseError
from playhouse import db_url

from config import PROJECT_ROOT

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
}
POSTGRES_POOL = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}


def make_database(url):
    """sqlite:///relative/path (from the project folder), sqlite:////absolute/path, or
    postgresql://user@host:port/db[?options=-c search_path=schema]."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return db_url.connect(f"sqlite:///{path}", pragmas=SQLITE_PRAGMAS)
    if url.startswith(("postgresql://", "postgres://")):
        scheme, rest = url.split("://", 1)
        return db_url.connect(f"{scheme}+pool://{rest}", **POSTGRES_POOL)
    raise ValueError(f"対応していないデータベースURLです: {url.split(':', 1)[0]}")


def is_sqlite(database):
    return database.__class__.__name__.endswith("SqliteDatabase")


def refresh_planner_statistics(database, models):
    """PostgreSQL: ANALYZE the tables of ``models`` after a bulk write. Autovacuum analyses them
    only a minute or more later; until then the planner believes the tables nearly empty and
    picks nested loops (a year's statistics over 150,000 reservations: 16.9 s instead of 0.04 s).
    SQLite plans from its indexes without statistics, and kofu is measured that way."""
    if not is_sqlite(database.obj):
        database.execute_sql("ANALYZE " + ", ".join(f'"{model._meta.table_name}"' for model in models))


@contextlib.contextmanager
def write_transaction(database):
    """A transaction that is going to write. On PostgreSQL the row locks of the statements
    inside serialise what must be serialised. On SQLite it takes the write lock at BEGIN, so
    that concurrent writers queue instead of failing to upgrade a read lock; they queue on
    ``_writer_lock`` first, because SQLite's own busy handler polls with sleeps of up to 100 ms
    and leaves the database idle while every writer sleeps."""
    if not is_sqlite(database.obj) or database.in_transaction():
        with database.atomic() as transaction:
            yield transaction
        return
    with _writer_lock(database.obj.database), database.atomic(lock_type="IMMEDIATE") as transaction:
        yield transaction


_thread_locks = {}


@contextlib.contextmanager
def _writer_lock(path):
    """One writer at a time per SQLite file: first among the threads of this process, so that a
    single thread per process waits on the file, then across processes with an flock on a file
    beside the database. A waiter wakes the moment the lock is free."""
    with _thread_locks.setdefault(path, threading.Lock()), open(f"{path}-writer.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


class RenderedQuery:
    """A peewee query rendered to SQL now and run later. Rendering costs peewee about 10 µs a
    column, more than SQLite takes to run a short statement, so a booking renders its statements
    before it takes the write lock that every booking queues on, and only runs them inside."""

    def __init__(self, query):
        self.sql, self.params = query.sql()

    def rows(self, database):
        return database.execute_sql(self.sql, self.params).fetchall()

    def row_count(self, database):
        return database.execute_sql(self.sql, self.params).rowcount


def end_of_request(database, error=None):
    """After a request the thread keeps its connection for its next one: closing (or handing back
    to the pool) on every request made 100 concurrent clients about eight times slower, on SQLite
    (a WAL checkpoint when the last connection closes) and on PostgreSQL (the pool's checkout).
    The number of server threads bounds the connections. After a database error the connection
    is let go, so that a broken one is never used again."""
    if isinstance(error, DatabaseError) and not database.is_closed():
        database.close()
