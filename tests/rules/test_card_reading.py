import datetime

import pytest

from devices.mynumber_card import CardFace, CardReading
from rules.card_reading import (
    copy_to_ledger,
    differences,
    matching_cards,
    renewal_status,
)
from rules.settings import check_agent_url
from tests.factories import gen_card

FACE = CardFace(
    name="山﨑 太郎",
    address="高知県安芸市矢ノ丸一丁目4番40号",
    birth_date=datetime.date(1985, 4, 1),
    sex="male",
    card_expiry=datetime.date(2033, 4, 1),
)
READING = CardReading(cert_expiry=datetime.date(2030, 4, 1), face=FACE)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2029-12-31", ("valid", 91)),
        ("2030-01-01", ("renewable", 90)),
        ("2030-04-01", ("renewable", 0)),
        ("2030-04-02", ("expired", -1)),
    ],
)
def test_renewal_opens_three_months_before_the_expiry(today, expected):
    """Does renewal open on the day three months before the expiry, and is a day past it expired?"""
    assert renewal_status(datetime.date(2030, 4, 1), datetime.date.fromisoformat(today)) == expected


def test_renewal_opening_falls_on_a_shorter_months_last_day():
    """Does an expiry on 5/31 open renewal on 2/28, the last day of February?"""
    assert renewal_status(datetime.date(2030, 5, 31), datetime.date(2030, 2, 28))[0] == "renewable"
    assert renewal_status(datetime.date(2030, 5, 31), datetime.date(2030, 2, 27))[0] == "valid"


def test_matching_cards_ignore_spaces_but_need_the_same_birth_date(database):
    """Are the ledger cards of the person on the card found by name (spaces of any width ignored) and birth date?"""
    same = gen_card(name="山﨑　太郎", birth_date=FACE.birth_date)
    gen_card(name="山﨑　太郎", birth_date=datetime.date(1985, 4, 2))
    gen_card(name="山崎　太郎", birth_date=FACE.birth_date)
    assert matching_cards(FACE) == [same]


def test_copy_to_ledger_writes_what_differs_and_reports_it(database):
    """Are the card's address, sex and expiry dates copied into the ledger, with old and new values for the log?"""
    card = gen_card(name="山﨑　太郎", birth_date=FACE.birth_date, address="高知県安芸市旧住所1番", sex="male")
    assert [difference.field for difference in differences(card, READING)] == ["address", "card_expiry", "cert_expiry"]
    changes = copy_to_ledger(card, READING)
    assert changes == {
        "address": ["高知県安芸市旧住所1番", FACE.address],
        "card_expiry": [None, "2033-04-01"],
        "cert_expiry": [None, "2030-04-01"],
    }
    card = type(card).get_by_id(card.id)
    assert (card.address, card.card_expiry, card.cert_expiry) == (FACE.address, FACE.card_expiry, READING.cert_expiry)
    assert differences(card, READING) == [] and copy_to_ledger(card, READING) == {}


def test_a_value_the_card_lacks_never_overwrites_the_ledger(database):
    """Does a card without a certificate, or without a known sex, leave the ledger's values alone?"""
    card = gen_card(birth_date=FACE.birth_date, sex="female", cert_expiry=datetime.date(2029, 1, 1))
    reading = CardReading(cert_expiry=None, face=CardFace(card.name, card.address, card.birth_date, None, None))
    assert differences(card, reading) == []


@pytest.mark.parametrize("url", ["", "http://127.0.0.1:8765", "http://localhost:8765/", "https://[::1]:9443"])
def test_the_card_agent_lives_on_the_terminal_itself(url):
    """Is an agent address on this PC's loopback, with a port, accepted?"""
    check_agent_url(url)


@pytest.mark.parametrize(
    "url", ["http://192.168.1.5:8765", "http://127.0.0.1", "http://127.0.0.1:8765/read", "ftp://127.0.0.1:21"]
)
def test_an_agent_address_elsewhere_is_refused(url):
    """Is an agent address on another machine, without a port, with a path or another scheme refused?"""
    with pytest.raises(ValueError, match="127.0.0.1"):
        check_agent_url(url)
