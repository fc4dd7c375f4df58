import datetime

from models import Card, Reservation
from rules.card_links import link_ledger
from tests.factories import gen_application, gen_card, gen_reservation, new_form_id

BIRTH = datetime.date(1980, 4, 1)


def test_cards_find_their_application_and_bookings(database):
    """Does a card get its application by 申請書ID, and a 交付 booking its card by notice number and birth date?"""
    form_id = new_form_id()
    application = gen_application(application_form_id=form_id)
    card = gen_card(application_form_id=form_id, notice_number="ABC-123456", birth_date=BIRTH)
    unrelated = gen_card(notice_number="ABC-654321")
    booking = gen_reservation(purpose="collect", notice_number="ABC-123456", birth_date=BIRTH)
    other_person = gen_reservation(purpose="collect", notice_number="ABC-123456", birth_date=datetime.date(1990, 1, 1))
    assert link_ledger() == (1, 1)
    assert Card.get_by_id(card.id).application_id == application.id
    assert Card.get_by_id(unrelated.id).application_id is None
    assert Reservation.get_by_id(booking.id).card_id == card.id
    assert Reservation.get_by_id(other_person.id).card_id is None
    assert link_ledger() == (0, 0)


def test_linking_can_be_limited(database):
    """Does a limited run touch only the given 申請書IDs and notice numbers?"""
    first, second = new_form_id(), new_form_id()
    for form_id, notice in ((first, "AAA-000001"), (second, "AAA-000002")):
        gen_application(application_form_id=form_id)
        gen_card(application_form_id=form_id, notice_number=notice, birth_date=BIRTH)
        gen_reservation(purpose="collect", notice_number=notice, birth_date=BIRTH)
    assert link_ledger(form_ids=[first], notice_numbers=["AAA-000002"]) == (1, 1)
    assert Card.get(Card.application_form_id == second).application_id is None


def test_import_and_forms_link_what_arrives_second(client, auth, database):
    """When a card is registered by QR after its application and booking, are both linked to it?"""
    from rules import card_capture

    form_id = new_form_id()
    application = gen_application(application_form_id=form_id)
    booking = gen_reservation(purpose="collect", notice_number="6A6-244944", birth_date=datetime.date(2020, 5, 6))
    card_capture.register_code(card_capture.parse(f"MNCL1,{form_id},6A6-244944,20200506,2,ヤマサキ　タロウ")[0])
    card = Card.get(Card.application_form_id == form_id)
    assert card.application_id == application.id
    assert Reservation.get_by_id(booking.id).card_id == card.id
