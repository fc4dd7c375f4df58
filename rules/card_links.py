"""Linking the ledger to the rest: a card belongs to the application with its 申請書ID, and a
交付 reservation to the card with its 交付通知書番号 and the same birth date. Run after cards
or applications are added, so that whichever arrives second finds the first."""

from peewee import fn

from models import Application, Card, Reservation


def link_ledger(form_ids=None, notice_numbers=None):
    """Fill the missing links (optionally only for these 申請書IDs / notice numbers);
    returns (cards linked to applications, reservations linked to cards)."""
    return _link_cards(form_ids), _link_reservations(notice_numbers)


def _link_cards(form_ids):
    application = Application.select(Application.id).where(Application.application_form_id == Card.application_form_id)
    query = Card.update(application=application).where(Card.application.is_null(), fn.EXISTS(application))
    if form_ids is not None:
        query = query.where(Card.application_form_id.in_(list(form_ids)))
    return query.execute()


def _link_reservations(notice_numbers):
    card = Card.select(Card.id).where(
        Card.notice_number == Reservation.notice_number, Card.birth_date == Reservation.birth_date
    )
    query = Reservation.update(card=card).where(
        Reservation.card.is_null(), Reservation.notice_number.is_null(False), fn.EXISTS(card)
    )
    if notice_numbers is not None:
        query = query.where(Reservation.notice_number.in_(list(notice_numbers)))
    return query.execute()
