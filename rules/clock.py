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


def on_days(column, start, end):
    """The query condition that a date or date-time ``column`` falls on a day from ``start`` to
    ``end``, the whole of the last day included."""
    if column.field_type == "DATETIME":
        return (column >= start) & (column < end + datetime.timedelta(days=1))
    return column.between(start, end)
