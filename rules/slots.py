"""Concrete slot rows made from per-location rules, minus public holidays and closed days."""

import datetime

import jpholiday

from models import ClosedDate, Slot, SlotRule


def slot_rows(rule, day):
    """The slot rows one rule opens on one day (as dicts ready to insert)."""
    rows = []
    start = datetime.datetime.combine(day, rule.opens_at)
    closing = datetime.datetime.combine(day, rule.closes_at)
    step = datetime.timedelta(minutes=rule.slot_minutes)
    while start + step <= closing:
        rows.append(
            {
                "location": rule.location_id,
                "date": day,
                "starts_at": start.time(),
                "ends_at": (start + step).time(),
                "purposes": rule.purposes,
                "capacity": rule.capacity,
                "phone_reserved": rule.phone_reserved,
            }
        )
        start += step
    return rows


def rule_applies(rule, day):
    weekdays = {int(part) for part in rule.weekdays.split(",") if part.strip()}
    return (
        day.weekday() in weekdays
        and (rule.valid_from is None or rule.valid_from <= day)
        and (rule.valid_to is None or day <= rule.valid_to)
    )


def generate_slots(start, end):
    """Insert the slots of every active rule from ``start`` to ``end``; existing rows are kept
    untouched, so regenerating never removes or shrinks a slot that holds bookings.
    Returns the number of new rows."""
    closed = {(row.location_id, row.date) for row in ClosedDate.select().where(ClosedDate.date.between(start, end))}
    rows = []
    for rule in SlotRule.select().where(SlotRule.active):
        day = start
        while day <= end:
            is_closed = (rule.location_id, day) in closed or (None, day) in closed
            if rule_applies(rule, day) and not is_closed and not jpholiday.is_holiday(day):
                rows.extend(slot_rows(rule, day))
            day += datetime.timedelta(days=1)
    before = Slot.select().where(Slot.date.between(start, end)).count()
    for chunk in range(0, len(rows), 500):
        Slot.insert_many(rows[chunk : chunk + 500]).on_conflict_ignore().execute()
    return Slot.select().where(Slot.date.between(start, end)).count() - before


def week_grid(location_id, monday):
    """The slots of one location for the seven days from ``monday``:
    (days, start times, {(day, start): (slot id, booked, capacity, closed)})."""
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    rows = (
        Slot.select(Slot.date, Slot.starts_at, Slot.id, Slot.booked, Slot.capacity, Slot.closed)
        .where(Slot.location == location_id, Slot.date.between(days[0], days[-1]))
        .tuples()
    )
    cells = {(day, starts_at): tuple(cell) for day, starts_at, *cell in rows}
    return days, sorted({start for _day, start in cells}), cells
