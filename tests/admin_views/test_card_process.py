import datetime
import html
import json
import re

import pytest

from models import AuditLog, Card, CardEvent, FeePayment, StorageLocation
from rules.card_stages import reminder_deadline
from rules.clock import now, today
from tests.factories import gen_application, gen_card, gen_location, gen_reservation, gen_slot, gen_user


def card_in(stage, **fields):
    card = gen_card(**fields)
    Card.update(stage=stage).where(Card.id == card.id).execute()
    return Card.get_by_id(card.id)


def stages():
    return {card.id: card.stage for card in Card.select()}


@pytest.fixture
def clerk(auth, database):
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    return auth


def test_bulk_action_moves_the_selection_and_is_audited(client, clerk):
    """Does the list's 検品済 action move 50 selected cards, one event each, with one audit row?"""
    ids = [gen_card().id for _ in range(50)]
    response = clerk.post("/admin/card/action/", {"action": "inspected", "rowid": ids}, follow_redirects=True)
    assert "50件を「検品済」にしました。" in response.get_data(as_text=True)
    assert set(stages().values()) == {"inspected"}
    assert CardEvent.select().where(CardEvent.to_stage == "inspected").count() == 50
    row = AuditLog.get(AuditLog.action == "stage")
    assert row.login == "suzuki" and row.model == "Card" and "50件" in row.detail


def test_bulk_action_with_one_illegal_card_changes_nothing(client, clerk):
    """Is a selection with one 交付済 card refused whole, naming that card and the reason?"""
    cards = [gen_card() for _ in range(5)]
    issued = card_in("issued", issued_at=now())
    ids = [card.id for card in cards] + [issued.id]
    page = clerk.post("/admin/card/action/", {"action": "inspected", "rowid": ids}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert issued.notice_number in text and "既に交付済です" in text and "どれも変更していません" in text
    assert set(stages().values()) == {"delivered", "issued"} and CardEvent.select().count() == 0
    assert not AuditLog.select().where(AuditLog.action == "stage").exists()


def test_viewer_can_read_but_not_move(client, auth, database):
    """Can a viewer open the ledger, a card and the worklists but get 403 on every move?"""
    gen_user("viewer", login="yamada")
    auth.login("yamada")
    card = gen_card()
    for url in (
        "/admin/card/",
        f"/admin/card_detail/{card.id}",
        "/admin/card_worklist/reminders",
        "/admin/card_storage/",
        "/admin/card_visit_types/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/card_scan/").status_code == 403
    for url, data in (
        ("/admin/card/action/", {"action": "inspected", "rowid": [card.id]}),
        (f"/admin/card_detail/{card.id}/move", {"to_stage": "inspected"}),
        ("/admin/card_scan/", {"stage": "inspected", "code": card.notice_number}),
        ("/admin/card_worklist/reminders/move", {"card_id": [card.id]}),
        ("/admin/card_storage/assign", {"delivered_on": today().isoformat()}),
    ):
        assert auth.post(url, data).status_code == 403, url
    assert Card.get_by_id(card.id).stage == "delivered"
    assert AuditLog.select().where(AuditLog.action == "forbidden").count() == 6


def test_clerk_cannot_dispose(client, clerk):
    """Does a clerk get 403 on the disposal worklist's action, with the card unchanged?"""
    card = card_in("reminded", dispose_due=today() - datetime.timedelta(days=1))
    page = client.get("/admin/card_worklist/disposals").get_data(as_text=True)
    assert card.name in page and "廃棄は責任者が行います" in page
    assert (
        clerk.post("/admin/card_worklist/disposals/move", {"card_id": [card.id], "reason": "期限"}).status_code == 403
    )
    assert Card.get_by_id(card.id).stage == "reminded"


def test_supervisor_disposes_only_with_a_reason(client, supervisor):
    """Is disposal without a reason refused, and with one done and audited as 廃棄?"""
    card = card_in("returned", dispose_due=today() - datetime.timedelta(days=1))
    page = supervisor.post(
        "/admin/card_worklist/disposals/move", {"card_id": [card.id], "reason": ""}, follow_redirects=True
    )
    assert "廃棄の理由を入力してください。" in page.get_data(as_text=True)
    assert Card.get_by_id(card.id).stage == "returned"
    supervisor.post("/admin/card_worklist/disposals/move", {"card_id": [card.id], "reason": "宛先不明で6か月経過"})
    assert Card.get_by_id(card.id).stage == "disposed"
    assert CardEvent.get(CardEvent.card == card.id).note == "宛先不明で6か月経過"
    assert "宛先不明で6か月経過" in AuditLog.get(AuditLog.action == "dispose").detail


def test_reminder_worklist_marks_reminded(client, clerk):
    """Does the 督促対象 list show an overdue card and move it to 督促 with a new deadline?"""
    overdue = card_in("notified", issue_deadline=today() - datetime.timedelta(days=30), name="期限　切れ")
    card_in("notified", issue_deadline=today() + datetime.timedelta(days=30), name="期限　内")
    page = client.get("/admin/card_worklist/reminders").get_data(as_text=True)
    assert "期限　切れ" in page and "期限　内" not in page
    clerk.post("/admin/card_worklist/reminders/move", {"card_id": [overdue.id], "note": "督促状を郵送"})
    reminded = Card.get_by_id(overdue.id)
    assert reminded.stage == "reminded" and reminded.issue_deadline == reminder_deadline(today())


def test_scan_moves_one_card_and_refuses_an_issued_one(client, clerk):
    """Does a shelf scan move the card, and is a scan of a card already issued refused clearly in the list?"""
    card = gen_card(application_form_id="44418521867264284878260", notice_number="6A6-244944")
    issued = card_in("issued", issued_at=datetime.datetime(2026, 11, 2, 10, 0))
    scan = "MNCL1,44418521867264284878260,6A6-244944,20200506,2,アキ　タロウ"
    clerk.post("/admin/card_scan/", {"stage": "inspected", "code": scan})
    assert Card.get_by_id(card.id).stage == "inspected"
    clerk.post("/admin/card_scan/", {"stage": "inspected", "code": issued.notice_number})
    clerk.post("/admin/card_scan/", {"stage": "inspected", "code": "MNCL1,12,XX"})
    page = client.get("/admin/card_scan/?stage=inspected").get_data(as_text=True)
    assert "できません: 既に交付済です(2026年11月02日)。" in page
    assert "完了: 「検品済」にしました。" in page and "QRコードの形式が違います" in page
    assert Card.get_by_id(issued.id).stage == "issued"
    assert AuditLog.select().where(AuditLog.action == "stage").count() == 1


def test_card_page_shows_history_application_reservations_and_fees(client, clerk):
    """Does the card page show its stage history, a link to the applicant, its reservation and its fee?"""
    location = gen_location()
    application = gen_application(location=location, name="高知　一子", kana="コウチ　イチコ")
    card = gen_card(application_form_id=application.application_form_id, name="高知　一子", kana="コウチ　イチコ")
    clerk.post("/admin/card/action/", {"action": "inspected", "rowid": [card.id]})
    gen_reservation(
        slot=gen_slot(location=location), purpose="collect", notice_number=card.notice_number, number="RSV7KQ"
    )
    FeePayment.create(
        application=application, location=location, kind="reissue_card", amount=800, fiscal_year=2026, receipt_seq=17
    )
    page = client.get(f"/admin/card_detail/{card.id}").get_data(as_text=True)
    assert f"/admin/applicant/{application.id}" in page
    assert "RSV7KQ" in page and "800円" in page
    assert "職員 suzuki" in page and "一覧から一括" in page


def test_card_page_moves_the_card(client, clerk):
    """Does the card page's form move the card and a held card come back to where it was?"""
    card = card_in("preset")
    clerk.post(f"/admin/card_detail/{card.id}/move", {"to_stage": "on_hold", "note": "本人確認中"})
    assert Card.get_by_id(card.id).stage == "on_hold"
    page = client.get(f"/admin/card_detail/{card.id}").get_data(as_text=True)
    assert 'value="release_hold">交付前設定済(保留解除)' in page and 'value="disposed"' not in page
    clerk.post(f"/admin/card_detail/{card.id}/move", {"to_stage": "release_hold"})
    assert Card.get_by_id(card.id).stage == "preset"


def test_list_filters_overdue_location_and_storage(client, clerk):
    """Do the ledger's overdue, location and storage filters keep only the matching cards?"""
    here = gen_location(name="本庁")
    box = StorageLocation.create(location=here, code="A-1-1", cabinet="A", shelf="1", box="1")
    card_in("notified", name="期限　切れ", issue_deadline=today() - datetime.timedelta(days=1))
    card_in("notified", name="期限　内", issue_deadline=today() + datetime.timedelta(days=1))
    gen_card(name="箱の　中", storage=box, location=here)
    page = client.get("/admin/card/").get_data(as_text=True)
    groups = _filter_groups(page)
    assert groups["交付場所"][0]["options"] == [[str(here.id), "本庁"]]  # read when the page renders
    assert groups["保管場所"][0]["options"] == [[str(box.id), "A-1-1 (A-1-1)"]]
    overdue = _filtered(client, page, "交付期限切れ", "1")
    assert "期限　切れ" in overdue and "期限　内" not in overdue
    in_box = _filtered(client, page, "保管場所", str(box.id))
    assert "箱の　中" in in_box and "期限　切れ" not in in_box
    at_here = _filtered(client, page, "交付場所", str(here.id))
    assert "箱の　中" in at_here and "期限　内" not in at_here


def _filtered(client, list_page, label, value):
    """The list filtered by the filter named ``label`` (Flask-Admin numbers its filters)."""
    index = next(item["index"] for item in _filter_groups(list_page)[label])
    return client.get(f"/admin/card/?flt0_{index}={value}").get_data(as_text=True)


def _filter_groups(list_page):
    found = re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', list_page)
    return json.loads(html.unescape(found.group(1)))


def test_storage_screen_assigns_a_delivery_and_finds_a_card(client, clerk):
    """Does the storage screen fill a box with a delivery, warn when full, and find a card by kana?"""
    location = gen_location()
    box = StorageLocation.create(location=location, code="K-1-1", cabinet="K", shelf="1", box="1", capacity=2)
    delivered = today() - datetime.timedelta(days=1)
    gen_card(delivered_on=delivered, batch="L1", name="山﨑　太郎", kana="ヤマサキ　タロウ")
    gen_card(delivered_on=delivered, batch="L1")
    page = clerk.post(
        "/admin/card_storage/assign",
        {"delivered_on": delivered.isoformat(), "batch": "L1", "box_id": [box.id]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "2枚を保管場所に割り当てました" in page and "箱 K-1-1 は満杯です(2枚)。" in page and "満杯" in page
    assert Card.select().where(Card.storage == box).count() == 2
    assert AuditLog.get(AuditLog.action == "storage").detail.startswith(f"納品日 {delivered.isoformat()}")
    found = client.get("/admin/card_storage/?q=やまさき").get_data(as_text=True)
    assert "山﨑　太郎" in found and "K-1-1" in found


def test_visit_types_are_counted_and_printed_apart(client, clerk):
    """Are 申請時来庁 and 交付時来庁 cards counted separately and printed as separate lists?"""
    gen_card(visit_type="at_application", name="申請　時")
    gen_card(visit_type="at_issuance", name="交付　時")
    gen_card(visit_type="at_issuance", name="交付　二")
    page = client.get("/admin/card_visit_types/").get_data(as_text=True)
    assert 'id="total-at_application">1<' in page and 'id="total-at_issuance">2<' in page
    printed = client.get("/admin/card_visit_types/print?visit_type=at_application").get_data(as_text=True)
    assert "申請　時" in printed and "交付　時" not in printed
    response = client.get("/admin/card_visit_types/pdf?visit_type=at_issuance")
    assert response.mimetype == "application/pdf"
    assert AuditLog.select().where(AuditLog.action == "pdf").count() == 1


def test_cards_whose_certificate_expires_soon_can_be_listed(client, clerk):
    """Does the ledger list the cards whose certificate expires within a period (for renewal notices)?"""
    gen_card(name="期限　近い", cert_expiry=today() + datetime.timedelta(days=30))
    gen_card(name="期限　遠い", cert_expiry=today() + datetime.timedelta(days=400))
    page = client.get("/admin/card/").get_data(as_text=True)
    between = next(item["index"] for item in _filter_groups(page)["電子証明書有効期限"] if item["operation"] == "間")
    period = f"{today():%Y-%m-%d} to {today() + datetime.timedelta(days=90):%Y-%m-%d}"
    listed = client.get("/admin/card/", query_string={f"flt0_{between}": period}).get_data(as_text=True)
    assert "期限　近い" in listed and "期限　遠い" not in listed
