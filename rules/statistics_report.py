"""集計グラフ: one figure — people booked, visiting or not coming, applications received, cards
issued, fees taken — per day, week or month of a period, broken down by location, purpose,
channel, application method or fee kind. SQL sums per day and key (a few hundred rows even for a
city of 300,000), pandas lays them out per period."""

from dataclasses import dataclass

import pandas as pd
from peewee import fn

from models import (
    APPLICATION_METHODS,
    CHANNELS,
    FEE_KINDS,
    PURPOSES,
    Application,
    Card,
    CardEvent,
    FeePayment,
    Location,
    Reservation,
    Slot,
)
from rules.clock import as_date, on_days

ALL = "all"


@dataclass(frozen=True)
class Subject:
    label: str
    breakdowns: tuple


@dataclass(frozen=True)
class Unit:
    label: str
    frequency: str  # a pandas period frequency
    max_periods: int


@dataclass(frozen=True)
class Report:
    """``rows`` are (period label, values per column, row total)."""

    subject: str
    columns: list
    rows: list
    totals: list
    total: int


class ReportError(ValueError):
    pass


RESERVATION_KEYS = ("location", "purpose", "channel")
SUBJECTS = {
    "reserved": Subject("予約人数(人)", RESERVATION_KEYS),
    "visited": Subject("来庁人数(人)", RESERVATION_KEYS),
    "no_show": Subject("不来庁(人)", RESERVATION_KEYS),
    "applications": Subject("申請受付(件)", ("location", "method")),
    "issued": Subject("交付(枚)", ("location",)),
    "fees": Subject("手数料(円)", ("location", "kind")),
}
BREAKDOWNS = {
    ALL: "内訳なし",
    "location": "場所",
    "purpose": "予約種別",
    "channel": "受付経路",
    "method": "申請方法",
    "kind": "手数料の種別",
}
UNITS = {"day": Unit("日", "D", 366), "week": Unit("週", "W-SUN", 157), "month": Unit("月", "M", 120)}
CHOICE_LABELS = {"purpose": PURPOSES, "channel": CHANNELS, "method": APPLICATION_METHODS, "kind": FEE_KINDS}


def build_report(start, end, subject, breakdown, unit):
    """The report, or ReportError naming what cannot be reported."""
    periods = _checked_periods(start, end, subject, breakdown, unit)
    keys = _key_labels(breakdown)
    table = _per_period(_sums(subject, breakdown, start, end), periods, list(keys))
    rows = [
        (_period_label(period, unit), [int(value) for value in values], int(sum(values)))
        for period, values in zip(table.index, table.to_numpy(), strict=True)
    ]
    totals = [int(total) for total in table.sum(axis=0)]
    return Report(SUBJECTS[subject].label, list(keys.values()), rows, totals, sum(totals))


def _checked_periods(start, end, subject, breakdown, unit):
    """Every period of the report, once the choice is known to be reportable."""
    if subject not in SUBJECTS or unit not in UNITS:
        raise ReportError("集計する項目と単位を選んでください。")
    if breakdown != ALL and breakdown not in SUBJECTS[subject].breakdowns:
        raise ReportError(
            f"「{SUBJECTS[subject].label}」は「{BREAKDOWNS.get(breakdown, breakdown)}」別には集計できません。"
        )
    if end < start:
        raise ReportError("終了日は開始日より後にしてください。")
    periods = pd.period_range(start, end, freq=UNITS[unit].frequency)
    if len(periods) > UNITS[unit].max_periods:
        raise ReportError(f"{UNITS[unit].label}単位の集計は{UNITS[unit].max_periods}{UNITS[unit].label}分までです。")
    return periods


def _key_labels(breakdown):
    """{key: column label} in display order."""
    if breakdown == ALL:
        return {ALL: "合計"}
    if breakdown == "location":
        return {location.id: location.name for location in Location.select().order_by(Location.sort_order, Location.id)}
    return dict(CHOICE_LABELS[breakdown])


@dataclass(frozen=True)
class _Source:
    """Where a subject's figures come from: the filtered rows, their day, the sum, the keys."""

    query: object
    day: object
    value: object
    keys: dict


STATUSES_COUNTED = {"reserved": ("booked", "visited", "no_show"), "visited": ("visited",), "no_show": ("no_show",)}


def _source(subject, start, end):
    if subject in STATUSES_COUNTED:
        query = Reservation.select().join(Slot)
        query = query.where(on_days(Slot.date, start, end), Reservation.status.in_(STATUSES_COUNTED[subject]))
        keys = {"location": Slot.location, "purpose": Reservation.purpose, "channel": Reservation.channel}
        return _Source(query, Slot.date, fn.SUM(Reservation.people), keys)
    if subject == "applications":
        query = Application.select().where(on_days(Application.received_on, start, end))
        keys = {"location": Application.location, "method": Application.method}
        return _Source(query, Application.received_on, fn.COUNT(Application.id), keys)
    if subject == "issued":
        query = CardEvent.select().join(Card).where(CardEvent.to_stage == "issued", on_days(CardEvent.at, start, end))
        return _Source(query, fn.DATE(CardEvent.at), fn.COUNT(CardEvent.id), {"location": Card.location})
    query = FeePayment.select().where(~FeePayment.void, on_days(FeePayment.paid_at, start, end))
    keys = {"location": FeePayment.location, "kind": FeePayment.kind}
    return _Source(query, fn.DATE(FeePayment.paid_at), fn.SUM(FeePayment.amount), keys)


def _sums(subject, breakdown, start, end):
    """(day, key, value) rows from the database."""
    source = _source(subject, start, end)
    if breakdown == ALL:
        rows = source.query.select(source.day, source.value).group_by(source.day).tuples()
        return [(as_date(day), ALL, value) for day, value in rows]
    key = source.keys[breakdown]
    rows = source.query.select(source.day, key, source.value).group_by(source.day, key).tuples()
    return [(as_date(day), row_key, value) for day, row_key, value in rows]


def _per_period(sums, periods, keys):
    """A period × key table of sums, every period of the range present."""
    if not sums:
        return pd.DataFrame(0, index=periods, columns=keys)
    frame = pd.DataFrame(sums, columns=["day", "key", "value"])
    frame["period"] = pd.PeriodIndex(pd.to_datetime(frame["day"]), freq=periods.freq)
    table = frame.pivot_table(index="period", columns="key", values="value", aggfunc="sum", fill_value=0)
    return table.reindex(index=periods, columns=keys, fill_value=0)


def _period_label(period, unit):
    first = period.start_time.date()
    if unit == "month":
        return f"{first.year}年{first.month}月"
    if unit == "week":
        return f"{first:%Y/%m/%d}の週"
    return f"{first:%Y/%m/%d}"
