"""The city's wall clock. Everything is stored as naive Japan Standard Time."""

import datetime
from zoneinfo import ZoneInfo

JAPAN = ZoneInfo("Asia/Tokyo")


def now():
    return datetime.datetime.now(JAPAN).replace(tzinfo=None, microsecond=0)


def today():
    return now().date()


def as_date(value):
    """A date from what a query returns for one: SQLite gives text for computed dates,
    PostgreSQL a date or a datetime."""
    return datetime.date.fromisoformat(str(value)[:10])
