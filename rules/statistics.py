"""Counts per day for the 集計 screen, aggregated in SQL."""

import datetime

from peewee import fn

from models import Application, CardEvent, Reservation, Slot
from rules.clock import as_date, on_days


def daily_counts(start, end):
    """One dict per day from ``start`` to ``end``: reservations, visits, applications, cards issued."""
    days = {
        start + datetime.timedelta(days=n): {"reserved": 0, "visited": 0, "applications": 0, "issued": 0}
        for n in range((end - start).days + 1)
    }
    reservations = (
        Reservation.select(Slot.date, Reservation.status, fn.SUM(Reservation.people))
        .join(Slot)
        .where(Slot.date.between(start, end), Reservation.status != "cancelled")
        .group_by(Slot.date, Reservation.status)
        .tuples()
    )
    for day, status, people in reservations:
        days[as_date(day)]["reserved"] += people
        if status == "visited":
            days[as_date(day)]["visited"] += people
    applications = (
        Application.select(Application.received_on, fn.COUNT(Application.id))
        .where(Application.received_on.between(start, end))
        .group_by(Application.received_on)
        .tuples()
    )
    for day, count in applications:
        days[as_date(day)]["applications"] = count
    issued_day = fn.DATE(CardEvent.at)
    issued = (
        CardEvent.select(issued_day, fn.COUNT(CardEvent.id))
        .where(CardEvent.to_stage == "issued", on_days(CardEvent.at, start, end))
        .group_by(issued_day)
        .tuples()
    )
    for day, count in issued:
        days[as_date(day)]["issued"] = count
    return [{"date": day, **counts} for day, counts in days.items()]
