from models import Setting
from rules import recent


class Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


def test_value_is_reloaded_only_after_its_seconds(database, monkeypatch):
    """Is a remembered value read once, kept for its seconds, and read again after them?"""
    clock = Clock()
    monkeypatch.setattr(recent, "time", clock)
    loads = []

    def load():
        loads.append(1)
        return Setting.select().count() + len(loads)

    first = recent.remembered("test-key", load, seconds=2)
    clock.now += 1.9
    assert recent.remembered("test-key", load, seconds=2) == first and len(loads) == 1
    clock.now += 0.2
    assert recent.remembered("test-key", load, seconds=2) == first + 1 and len(loads) == 2


def test_expired_values_are_pruned(database, monkeypatch):
    """Do values of days gone by (expired keys) leave memory once many keys are held?"""
    clock = Clock()
    monkeypatch.setattr(recent, "time", clock)
    monkeypatch.setattr(recent, "_loaded", {})
    for day in range(recent.PRUNE_ABOVE + 1):
        recent.remembered(("old-day", day), lambda: "page", seconds=1)
    clock.now += 2
    recent.remembered("still-fresh", lambda: "page", seconds=60)
    recent.remembered("another", lambda: "page", seconds=60)
    assert set(recent._loaded) == {"still-fresh", "another"}
