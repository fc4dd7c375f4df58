"""交付書類 (交付チェックリスト, 受領書, 電子証明書更新申請書) and 督促状: which cards to print, one page
each, either for a selection of cards or as the day batch of one location's 交付 bookings."""

import datetime
from dataclasses import dataclass

from peewee import JOIN

from models import Card, Location, Reservation, Slot, StorageLocation
from rules.checkin import ACTIVE
from rules.clock import today


@dataclass(frozen=True)
class Sheet:
    """One printed page: a card, and the booking it is handed over at when there is one."""

    card: Card
    reservation: Reservation | None = None

    @property
    def collection_place(self):
        """Where the resident collects the card: the counter its box is kept at, else its place of issue."""
        return self.card.storage.location if self.card.storage else self.card.location


@dataclass(frozen=True)
class Unmatched:
    """A 交付 booking whose card the ledger cannot give, and why."""

    reservation: Reservation
    reason: str


@dataclass(frozen=True)
class DayBatch:
    location: Location
    day: datetime.date
    sheets: list
    unmatched: list

    @property
    def reservation_count(self):
        return len(self.sheets) + len(self.unmatched)


class UnknownCards(LookupError):
    """Some of the asked-for ids are not in the ledger; nothing is printed."""

    def __init__(self, card_ids):
        self.card_ids = card_ids
        super().__init__("管理簿にないカードIDがあります: " + "、".join(str(card_id) for card_id in card_ids))


def default_day():
    """The batch is printed the day before the bookings."""
    return today() + datetime.timedelta(days=1)


def sheets_for_cards(card_ids):
    """A page per card, in the order asked (an id given twice prints once); raises UnknownCards
    naming every id the ledger does not hold."""
    wanted = list(dict.fromkeys(card_ids))
    found = {card.id: card for card in _cards().where(Card.id.in_(wanted))}
    unknown = [card_id for card_id in wanted if card_id not in found]
    if unknown:
        raise UnknownCards(unknown)
    return [Sheet(found[card_id]) for card_id in wanted]


def day_batch(location, day=None):
    """The day's active 交付 bookings at ``location`` in time order, each with its card: the one the
    booking links to, else the ledger's card with the booking's 交付通知書 number and birth date.
    Bookings left without a card are returned in ``unmatched`` with the reason, to be shown, not dropped."""
    day = day or default_day()
    reservations = list(
        Reservation.select(Reservation, Slot)
        .join(Slot)
        .where(
            Slot.location == location,
            Slot.date == day,
            Reservation.purpose == "collect",
            Reservation.status.in_(ACTIVE),
        )
        .order_by(Slot.starts_at, Reservation.number)
    )
    linked = _cards_by(Card.id, [r.card_id for r in reservations if r.card_id])
    by_notice = _cards_by(Card.notice_number, [r.notice_number for r in reservations if not r.card_id])
    sheets, unmatched = [], []
    for reservation in reservations:
        card, reason = _card_of(reservation, linked, by_notice)
        if card is None:
            unmatched.append(Unmatched(reservation, reason))
        else:
            sheets.append(Sheet(card, reservation))
    return DayBatch(location=location, day=day, sheets=sheets, unmatched=unmatched)


def _card_of(reservation, linked, by_notice):
    """(card, None) or (None, the reason in Japanese)."""
    if reservation.card_id:
        return linked[reservation.card_id], None
    number = reservation.notice_number
    if not number:
        return None, "予約に交付通知書番号がありません"
    card = by_notice.get(number)
    if card is None:
        return None, f"交付通知書番号 {number} のカードが管理簿にありません"
    if card.birth_date != reservation.birth_date:
        return None, f"交付通知書番号 {number} のカードと生年月日が一致しません"
    return card, None


def _cards():
    """Cards with their place of issue, and their storage with the counter it is kept at, which the
    documents print."""
    kept_at = Location.alias()
    return (
        Card.select(Card, Location, StorageLocation, kept_at)
        .join(Location, JOIN.LEFT_OUTER)
        .switch(Card)
        .join(StorageLocation, JOIN.LEFT_OUTER)
        .join(kept_at, JOIN.LEFT_OUTER)
    )


def _cards_by(column, values):
    if not values:
        return {}
    return {getattr(card, column.name): card for card in _cards().where(column.in_(values))}
