import datetime

from models import ClosedDate, Slot, SlotRule
from rules.slots import generate_slots, week_grid
from tests.factories import gen_location

# 2027-01-11 (Mon) is 成人の日.
WEEK = (datetime.date(2027, 1, 11), datetime.date(2027, 1, 17))


def test_rules_make_slots_without_holidays_weekends_or_closed_days(database):
    """Are slots made for the rule's weekdays and hours, skipping public holidays and closed dates?"""
    location = gen_location()
    SlotRule.create(
        location=location,
        weekdays="0,1,2,3,4",
        opens_at=datetime.time(9),
        closes_at=datetime.time(11),
        slot_minutes=30,
        capacity=3,
        phone_reserved=1,
        purposes="apply,collect",
    )
    ClosedDate.create(location=location, date=datetime.date(2027, 1, 13), reason="研修")
    ClosedDate.create(location=None, date=datetime.date(2027, 1, 15), reason="全庁停電")
    assert generate_slots(*WEEK) == 2 * 4
    days = sorted({slot.date for slot in Slot.select()})
    assert days == [datetime.date(2027, 1, 12), datetime.date(2027, 1, 14)]
    first = Slot.select().order_by(Slot.date, Slot.starts_at).first()
    assert (first.starts_at, first.ends_at, first.capacity, first.phone_reserved, first.purposes) == (
        datetime.time(9),
        datetime.time(9, 30),
        3,
        1,
        "apply,collect",
    )


def test_regenerating_keeps_booked_slots_as_they_are(database):
    """Does running the generation again, after the rule shrank, leave existing slots (and their bookings) alone?"""
    location = gen_location()
    rule = SlotRule.create(
        location=location,
        weekdays="1",
        opens_at=datetime.time(9),
        closes_at=datetime.time(10),
        slot_minutes=60,
        capacity=4,
    )
    generate_slots(*WEEK)
    Slot.update(booked=3).execute()
    rule.capacity = 1
    rule.save()
    assert generate_slots(*WEEK) == 0
    slot = Slot.get()
    assert (slot.capacity, slot.booked) == (4, 3)


def test_week_grid_lists_every_slot_of_the_week(database):
    """Does the week grid give each day's slots by start time with booked and capacity?"""
    location = gen_location()
    SlotRule.create(
        location=location,
        weekdays="1,3",
        opens_at=datetime.time(9),
        closes_at=datetime.time(10),
        slot_minutes=30,
        capacity=2,
    )
    generate_slots(*WEEK)
    Slot.update(booked=1).where(Slot.starts_at == datetime.time(9, 30)).execute()
    days, times, cells = week_grid(location.id, WEEK[0])
    assert days[0] == WEEK[0] and len(days) == 7
    assert times == [datetime.time(9), datetime.time(9, 30)]
    assert cells[(datetime.date(2027, 1, 12), datetime.time(9, 30))][1:] == (1, 2, False)
    assert (datetime.date(2027, 1, 11), datetime.time(9)) not in cells
