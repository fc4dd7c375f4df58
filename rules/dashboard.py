"""Today at a glance, for the staff home page."""

from peewee import fn

from models import CARD_STAGES, PURPOSES, Card, Location, Reservation, Slot
from rules.card_stages import LEAVES_STORAGE

# Cards still in the building: every stage the ledger rules do not take out of storage.
WAITING_STAGES = tuple(stage for stage, _label in CARD_STAGES if stage not in LEAVES_STORAGE)


def reservations_by_location(day):
    """[{location, purposes: {purpose: people}, booked, visited, no_show, cancelled}] for one day."""
    rows = (
        Reservation.select(Slot.location, Reservation.purpose, Reservation.status, fn.SUM(Reservation.people))
        .join(Slot)
        .where(Slot.date == day)
        .group_by(Slot.location, Reservation.purpose, Reservation.status)
        .tuples()
    )
    summary = {
        location.id: {
            "location": location,
            "purposes": dict.fromkeys(dict(PURPOSES), 0),
            "booked": 0,
            "visited": 0,
            "no_show": 0,
            "cancelled": 0,
        }
        for location in Location.in_order()
    }
    for location_id, purpose, status, people in rows:
        entry = summary.get(location_id)
        if entry is None:
            continue
        entry[status] += people
        if status != "cancelled":
            entry["purposes"][purpose] += people
    return list(summary.values())


def cards_waiting():
    """[(stage label, count)] of cards still held, in process order, and their total."""
    counts = dict(
        Card.select(Card.stage, fn.COUNT(Card.id)).where(Card.stage.in_(WAITING_STAGES)).group_by(Card.stage).tuples()
    )
    labels = dict(CARD_STAGES)
    rows = [(labels[stage], counts.get(stage, 0)) for stage in WAITING_STAGES]
    return rows, sum(counts.values())
