"""Values that change rarely but are read on every page (settings, announcements, locations),
loaded at most every few seconds per process. Another process sees a change within that time;
the process that made it calls ``forget`` and sees it at once."""

import time

from models import db

SECONDS = 5.0
PRUNE_ABOVE = 512
_loaded = {}


def remembered(key, load, seconds=SECONDS):
    """``load()``'s value for ``key``, from this process's memory when it is at most ``seconds``
    old and was read from the database that is bound now."""
    database, at = db.obj, time.monotonic()
    entry = _loaded.get(key)
    if entry is None or entry[0] is not database or at >= entry[1]:
        if len(_loaded) > PRUNE_ABOVE:
            _prune(at)
        entry = _loaded[key] = (database, at + seconds, load())
    return entry[2]


def _prune(at):
    """Drop what has expired, so that keys of days gone by do not pile up."""
    for key, entry in list(_loaded.items()):
        if at >= entry[1]:
            _loaded.pop(key, None)


def forget(key):
    _loaded.pop(key, None)
