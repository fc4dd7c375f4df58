"""カード読取 through the staff site, with a virtual card on the real pcscd's reader."""

import datetime
import html
import json
import re
import threading

import pytest

from admin_views import card_reading as card_reading_view
from models import AuditLog, Card
from rules import settings
from tests.devices.virtual_card import PCSCD_GROUP, VirtualMyNumberCard
from tests.factories import gen_card, gen_user

pytestmark = PCSCD_GROUP

URL = "/admin/card_reading/"


@pytest.fixture
def app_config(app_config, pcsc_reader):
    return {**app_config, "CARD_READER": pcsc_reader}


@pytest.fixture
def clerk(auth, database):
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    auth.fetch_token(URL)
    return auth


def _read_face(clerk, card, **overrides):
    birth, year, code = card.verification_b()[:6], card.verification_b()[6:10], card.verification_b()[10:]
    form = {"read": "face", "birth_yymmdd": birth, "expiry_year": year, "security_code": code, **overrides}
    return clerk.post(URL, data=form).get_data(as_text=True)


def _signed_reading(page):
    return html.unescape(re.search(r'name="reading" value="([^"]+)"', page).group(1))


def test_certificate_expiry_without_a_pin_shows_renewal_and_is_audited(client, clerk, card_slot):
    """Does a read without a PIN show the expiry in both calendars and its renewal state, audited without data?"""
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=40)
    card_slot.insert(VirtualMyNumberCard(certificate_not_after=soon))
    page = clerk.post(URL, data={"read": "cert"}).get_data(as_text=True)
    assert "更新手続きができます" in page and "令和" in page
    row = AuditLog.get(AuditLog.action == "card_read")
    assert row.detail == "電子証明書の有効期限" and row.login == "suzuki"


def test_card_face_is_set_beside_the_ledger_and_copied_on_request(client, clerk, card_slot):
    """With 照合番号B, does the page show the card face beside the ledger, and does 更新 copy it, audited?"""
    card = VirtualMyNumberCard(security_code="7391")
    card_slot.insert(card)
    ledger_card = gen_card(name="山﨑　太郎", birth_date=card.birth_date, address="高知県安芸市旧住所1番")
    page = _read_face(clerk, card)
    assert "高知県安芸市矢ノ丸一丁目4番40号" in page and "高知県安芸市旧住所1番" in page
    assert "7391" not in page and 'value="850401"' not in page
    clerk.post(f"{URL}apply/{ledger_card.id}", data={"reading": _signed_reading(page)})
    updated = Card.get_by_id(ledger_card.id)
    assert updated.address == card.address and updated.card_expiry == card.card_expires_on
    assert updated.cert_expiry == datetime.date(2030, 4, 1)
    audit_row = AuditLog.get(AuditLog.action == "update", AuditLog.model == "Card")
    assert json.loads(audit_row.changes)["address"] == ["高知県安芸市旧住所1番", card.address]
    assert not card.selected_ef_0001


def test_a_tampered_reading_is_not_copied(client, clerk, card_slot):
    """Is a reading altered on its way back from the page refused, leaving the ledger as it was?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    ledger_card = gen_card(name="山﨑　太郎", birth_date=card.birth_date, address="旧住所")
    signed = _signed_reading(_read_face(clerk, card))
    response = clerk.post(f"{URL}apply/{ledger_card.id}", data={"reading": signed[:-2] + "xx"}, follow_redirects=True)
    assert "もう一度読み取ってください" in response.get_data(as_text=True)
    assert Card.get_by_id(ledger_card.id).address == "旧住所"


def test_a_reading_is_never_copied_onto_another_persons_card(client, clerk, card_slot):
    """Is a reading refused for a ledger card whose name or birth date differs from the card's?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    gen_card(name="山﨑　太郎", birth_date=card.birth_date)
    other = gen_card(name="安芸　花子", birth_date=card.birth_date, address="別人の住所")
    clerk.post(f"{URL}apply/{other.id}", data={"reading": _signed_reading(_read_face(clerk, card))})
    assert Card.get_by_id(other.id).address == "別人の住所"


def test_a_wrong_verification_b_is_shown_and_logged_without_the_number(client, clerk, card_slot):
    """Does a wrong 照合番号B show the tries left, logged as a failed read that holds no digits of it?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    page = _read_face(clerk, card, security_code="9999")
    assert "照合番号Bが違います" in page and "残り2回" in page
    row = AuditLog.get(AuditLog.action == "card_read_failed")
    assert "9999" not in row.detail and "850401" not in row.detail


def test_a_malformed_part_is_refused_before_the_card_is_asked(client, clerk, card_slot):
    """Is a 照合番号B part that cannot be right refused at its field, without a single command sent to the card?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    page = _read_face(clerk, card, birth_yymmdd="85041")
    assert "生年月日(YYMMDD)は6桁の数字で入力してください。" in page
    assert card.commands == [] and card.tries_left == 3


def test_an_empty_reader_gets_a_clear_message(client, clerk, card_slot):
    """Does reading with no card on the reader say so instead of failing?"""
    page = clerk.post(URL, data={"read": "cert"}).get_data(as_text=True)
    assert "カードが置かれていません" in page


def test_viewers_cannot_read_cards(client, auth, database, card_slot):
    """Is a viewer refused the card reader on the server, for the page and the read alike?"""
    gen_user("viewer", login="mieru")
    auth.login("mieru")
    assert client.get(URL).status_code == 403
    assert auth.post(URL, data={"read": "cert"}).status_code == 403


def test_continuous_reading_answers_each_card_put_on(client, clerk, card_slot, monkeypatch):
    """Does continuous reading answer the next card's certificate expiry, and "waiting" when none comes?"""
    monkeypatch.setattr(card_reading_view, "NEXT_CARD_WAIT_SECONDS", 1)
    assert clerk.post(f"{URL}next").get_json() == {"status": "waiting"}
    monkeypatch.setattr(card_reading_view, "NEXT_CARD_WAIT_SECONDS", 10)
    putting_on = threading.Timer(0.3, card_slot.insert, args=(VirtualMyNumberCard(),))
    putting_on.start()
    try:
        answer = clerk.post(f"{URL}next").get_json()
    finally:
        putting_on.join()
    assert answer["status"] == "read" and "2030/04/01" in answer["html"]


TERMINAL_READING = {
    "cert_expiry": "2030-04-01",
    "face": {
        "name": "山﨑　太郎",
        "address": "高知県安芸市矢ノ丸一丁目4番40号",
        "birth_date": "1985-04-01",
        "sex": "male",
        "card_expiry": "2033-04-01",
    },
}


def test_a_reading_from_the_counter_agent_is_shown_beside_the_ledger(client, clerk):
    """Is a reading the counter PC's agent made shown like the server's own, audited as coming from the terminal?"""
    ledger_card = gen_card(name="山﨑　太郎", birth_date=datetime.date(1985, 4, 1), address="旧住所")
    page = clerk.post(f"{URL}terminal", data={"reading": json.dumps(TERMINAL_READING)}).get_data(as_text=True)
    assert "高知県安芸市矢ノ丸一丁目4番40号" in page and "旧住所" in page
    assert "窓口端末" in AuditLog.get(AuditLog.action == "card_read").detail
    clerk.post(f"{URL}apply/{ledger_card.id}", data={"reading": _signed_reading(page)})
    assert Card.get_by_id(ledger_card.id).address == "高知県安芸市矢ノ丸一丁目4番40号"


@pytest.mark.parametrize(
    "reading",
    [
        "not json",
        json.dumps({"cert_expiry": "2030-13-01", "face": None}),
        json.dumps({**TERMINAL_READING, "face": {**TERMINAL_READING["face"], "name": "長" * 101}}),
        json.dumps({**TERMINAL_READING, "face": {**TERMINAL_READING["face"], "sex": "x"}}),
        json.dumps({**TERMINAL_READING, "face": "山﨑"}),
    ],
)
def test_a_malformed_terminal_reading_is_refused(client, clerk, reading):
    """Is a handed-over reading that is not what the agent writes refused with a message, nothing logged as read?"""
    page = clerk.post(f"{URL}terminal", data={"reading": reading}).get_data(as_text=True)
    assert "読み取り結果" in page and "読み取った内容" not in page
    assert not AuditLog.select().where(AuditLog.action == "card_read").exists()


def test_continuous_reading_through_the_agent_gets_its_row_from_the_server(client, clerk):
    """Does the server render the row for a certificate the counter agent read?"""
    reading = json.dumps({"cert_expiry": "2030-04-01", "face": None})
    answer = clerk.post(f"{URL}terminal_row", data={"reading": reading}).get_json()
    assert answer["status"] == "read" and "2030/04/01" in answer["html"]


def test_the_page_may_call_the_configured_agent_and_nothing_else(client, clerk):
    """With the agent's URL set, does the page name it and its CSP let scripts call it (and only it)?"""
    response = client.get(URL)
    assert "connect-src 'self';" in response.headers["Content-Security-Policy"]
    settings.put("card_reader_agent_url", "http://127.0.0.1:8765/")
    response = client.get(URL)
    assert "connect-src 'self' http://127.0.0.1:8765;" in response.headers["Content-Security-Policy"]
    assert 'data-agent-url="http://127.0.0.1:8765"' in response.get_data(as_text=True)
