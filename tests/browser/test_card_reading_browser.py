import datetime

import pytest
from playwright.sync_api import expect

from admin_views import card_reading as card_reading_view
from devices.agent import create_agent
from models import Card
from rules import settings
from tests.browser.conftest import serving
from tests.browser.staff import sign_in
from tests.devices.virtual_card import PCSCD_GROUP, VirtualMyNumberCard
from tests.factories import gen_card, gen_user

pytestmark = PCSCD_GROUP


@pytest.fixture
def app_config(app_config, pcsc_reader, monkeypatch):
    # A continuous read still waiting when a test ends holds the servers' threads this long.
    monkeypatch.setattr(card_reading_view, "NEXT_CARD_WAIT_SECONDS", 2)
    return {**app_config, "CARD_READER": pcsc_reader}


def test_clerk_reads_a_card_and_updates_the_ledger(page, live_server, database, card_slot):
    """Does a clerk read a card with 照合番号B, see how the ledger differs, and update it in one click?"""
    card, ledger_card = _card_and_its_ledger_line(card_slot)
    sign_in(page, live_server, "suzuki")
    page.goto(f"{live_server}/admin/card_reading/")
    _read_face(page, "８５０４０１", "7391")
    expect(page.get_by_label("セキュリティコード(4桁)")).to_have_value("")
    _update_the_ledger(page, card, ledger_card)


def test_continuous_reading_lists_each_card_put_on(page, live_server, database, card_slot):
    """In continuous reading, does every card put on the reader add a row with its certificate expiry?"""
    gen_user("clerk", login="suzuki")
    sign_in(page, live_server, "suzuki")
    page.goto(f"{live_server}/admin/card_reading/")
    page.get_by_role("button", name="連続読取を始める").click()
    expect(page.locator("#card-watch-status")).to_have_text("カードを置いてください。")
    for year in (2029, 2031):
        not_after = datetime.datetime(year, 4, 1, 14, 59, 59, tzinfo=datetime.UTC)
        card_slot.insert(VirtualMyNumberCard(certificate_not_after=not_after))
        expect(page.locator("#card-watch-rows tr").first).to_contain_text(f"{year}/04/01")
        card_slot.remove()
    expect(page.locator("#card-watch-rows tr")).to_have_count(2)
    page.get_by_role("button", name="止める").click()
    expect(page.locator("#card-watch-status")).to_have_text("連続読取を止めました。")


@pytest.fixture
def card_agent(live_server, pcsc_reader):
    """The card agent on its own loopback port, serving the live staff site: the hosted setup."""
    with serving(create_agent(live_server, pcsc_reader)) as url:
        settings.put("card_reader_agent_url", url)
        yield url


def test_a_hosted_staff_site_reads_the_counter_pcs_reader_through_the_agent(page, live_server, card_agent, card_slot):
    """With the staff site on a server, does the page read the card through this PC's agent and update the ledger?"""
    card, ledger_card = _card_and_its_ledger_line(card_slot)
    sign_in(page, live_server, "suzuki")
    page.goto(f"{live_server}/admin/card_reading/")
    _read_face(page, "850401", "0000")
    expect(page.locator("#agent-message")).to_contain_text("残り2回")
    _read_face(page, "850401", "7391")
    _update_the_ledger(page, card, ledger_card)

    page.goto(f"{live_server}/admin/card_reading/")
    card_slot.remove()
    page.get_by_role("button", name="連続読取を始める").click()
    card_slot.insert(VirtualMyNumberCard())
    expect(page.locator("#card-watch-rows tr")).to_contain_text("2030/04/01")


def _card_and_its_ledger_line(card_slot):
    gen_user("clerk", login="suzuki")
    card = VirtualMyNumberCard(security_code="7391")
    ledger_card = gen_card(name="山﨑　太郎", birth_date=card.birth_date, address="高知県安芸市旧住所1番")
    card_slot.insert(card)
    return card, ledger_card


def _read_face(page, birth_yymmdd, security_code):
    page.get_by_label("生年月日(YYMMDD)").fill(birth_yymmdd)
    page.get_by_label("有効期限の西暦年").fill("2033")
    page.get_by_label("セキュリティコード(4桁)").fill(security_code)
    page.get_by_role("button", name="券面事項を読む").click()


def _update_the_ledger(page, card, ledger_card):
    expect(page.locator("#reading")).to_contain_text(card.address)
    page.get_by_role("button", name="カードの内容で管理簿を更新する").click()
    expect(page.get_by_text("カードの内容を管理簿に反映しました。")).to_be_visible()
    assert Card.get_by_id(ledger_card.id).address == card.address
