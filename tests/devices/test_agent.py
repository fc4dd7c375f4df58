"""The counter PC's card agent, through the real pcscd, as the staff page's script calls it."""

import datetime
import threading

import pytest

from devices.agent import WRONG_ORIGIN, create_agent
from tests.devices.virtual_card import PCSCD_GROUP, VirtualMyNumberCard

pytestmark = PCSCD_GROUP

STAFF_SITE = "https://kofu.example.lg.jp"


@pytest.fixture
def agent(pcsc_reader):
    return create_agent(STAFF_SITE, pcsc_reader).test_client()


def ask(agent, path, body, origin=STAFF_SITE):
    return agent.post(path, json=body, headers={"Origin": origin})


def _face_parts(card):
    number = card.verification_b()
    return {"mode": "face", "birth_yymmdd": number[:6], "expiry_year": number[6:10], "security_code": number[10:]}


def test_the_staff_site_reads_the_certificate_expiry(agent, card_slot):
    """Does the staff site's page get the certificate expiry, with CORS headers naming only the staff site?"""
    card_slot.insert(VirtualMyNumberCard())
    response = ask(agent, "/read", {"mode": "cert"})
    assert response.get_json() == {"reading": {"cert_expiry": "2030-04-01", "face": None}}
    assert response.headers["Access-Control-Allow-Origin"] == STAFF_SITE


def test_the_card_face_is_read_with_verification_b(agent, card_slot):
    """With 照合番号B in the body, does the agent answer the card face as plain JSON values?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    face = ask(agent, "/read", _face_parts(card)).get_json()["reading"]["face"]
    assert face == {
        "name": "山﨑　太郎",
        "address": "高知県安芸市矢ノ丸一丁目4番40号",
        "birth_date": "1985-04-01",
        "sex": "male",
        "card_expiry": "2033-04-01",
    }
    assert not card.selected_ef_0001


@pytest.mark.parametrize("origin", ["https://evil.example.com", None])
def test_another_web_page_cannot_touch_the_card(agent, card_slot, origin):
    """Is a call from any other origin (or none) refused before a single command reaches the card?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    headers = {"Origin": origin} if origin else {}
    response = agent.post("/read", json={**_face_parts(card), "security_code": "0000"}, headers=headers)
    assert response.status_code == 403 and response.get_json()["error"] == WRONG_ORIGIN
    assert card.commands == [] and card.tries_left == 3


def test_a_form_post_is_refused_even_from_the_staff_site(agent, card_slot):
    """Is a body that is not JSON (what a plain HTML form can send without a preflight) refused?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    response = agent.post("/read", data="mode=face", content_type="text/plain", headers={"Origin": STAFF_SITE})
    assert response.status_code == 415 and card.commands == []


def test_the_preflight_allows_json_and_the_private_network(agent):
    """Does a preflight from the staff site get JSON allowed and Chrome's private-network access granted?"""
    response = agent.options(
        "/read",
        headers={
            "Origin": STAFF_SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"


def test_a_wrong_or_malformed_verification_b_comes_back_with_its_field(agent, card_slot):
    """Does a malformed part come back with its field untried, and a wrong one with the tries left?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    malformed = ask(agent, "/read", {**_face_parts(card), "expiry_year": "33"}).get_json()
    assert malformed["field"] == "expiry_year" and card.commands == []
    wrong = ask(agent, "/read", {**_face_parts(card), "security_code": "0000"}).get_json()
    assert "残り2回" in wrong["error"] and card.tries_left == 2


def test_next_waits_for_a_card_put_on(agent, card_slot):
    """Does /next answer "waiting" when no card comes, and the certificate of a card put on?"""
    assert ask(agent, "/next", {"wait": 0.5}).get_json() == {"status": "waiting"}
    card_slot.insert(VirtualMyNumberCard())
    assert ask(agent, "/next", {"wait": 0.5}).get_json() == {"status": "waiting"}
    card_slot.remove()
    later = datetime.datetime(2031, 1, 31, 14, 59, 59, tzinfo=datetime.UTC)
    putting_on = threading.Timer(0.3, card_slot.insert, args=(VirtualMyNumberCard(certificate_not_after=later),))
    putting_on.start()
    try:
        answer = ask(agent, "/next", {"wait": 10}).get_json()
    finally:
        putting_on.join()
    assert answer == {"status": "read", "reading": {"cert_expiry": "2031-01-31", "face": None}}
