"""Same-day 消し込み: mark residents as arrived, undo it, and mark no-shows once a slot is over."""

import datetime

from models import Location, Reservation, Slot, db
from rules.kana import kana_key
from rules.reservation_numbers import normalise_reservation_number

ACTIVE = ("booked", "visited", "no_show")


def day_list(location_id, day, search=""):
    """The day's bookings at one location, by time then number; cancelled ones are left out.
    ``search`` matches a reservation number, a name or a kana name (any width or script)."""
    query = (
        Reservation.select(Reservation, Slot)
        .join(Slot)
        .where(Slot.location == location_id, Slot.date == day, Reservation.status.in_(ACTIVE))
        .order_by(Slot.starts_at, Reservation.number)
    )
    text = (search or "").strip()
    if text:
        query = query.where(
            (Reservation.number == normalise_reservation_number(text))
            | Reservation.name.contains(text)
            | (Reservation.kana_key.contains(kana_key(text)) if kana_key(text) else False)
        )
    return list(query)


def mark_visited(reservation_id, at):
    """来庁済. Returns the number of rows changed (0 when it was not waiting)."""
    return (
        Reservation.update(status="visited", checked_in_at=at)
        .where(Reservation.id == reservation_id, Reservation.status.in_(("booked", "no_show")))
        .execute()
    )


def undo_visit(reservation_id):
    """Back to 予約中, for a click on the wrong row."""
    return (
        Reservation.update(status="booked", checked_in_at=None)
        .where(Reservation.id == reservation_id, Reservation.status.in_(("visited", "no_show")))
        .execute()
    )


def mark_no_shows(location_id, day, at):
    """Every booking of ``day`` whose slot had ended by ``at`` and who has not come becomes 不来庁.
    Returns how many were marked."""
    if day > at.date():
        return 0
    ended = Slot.select(Slot.id).where(Slot.location == location_id, Slot.date == day)
    if day == at.date():
        ended = ended.where(Slot.ends_at <= at.time())
    with db.atomic():
        return (
            Reservation.update(status="no_show")
            .where(Reservation.slot.in_(ended), Reservation.status == "booked")
            .execute()
        )


def find_by_notice(notice_number, day):
    """Today's active booking (any location) made with this 交付通知書 number, or None."""
    return (
        Reservation.select(Reservation, Slot, Location)
        .join(Slot)
        .join(Location)
        .where(Reservation.notice_number == notice_number, Slot.date == day, Reservation.status.in_(ACTIVE))
        .first()
    )


def slot_has_ended(slot, at):
    return datetime.datetime.combine(slot.date, slot.ends_at) <= at
