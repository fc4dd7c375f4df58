import datetime
import re
from urllib.parse import unquote

import pytest

from admin_views.base import StaffModelView
from admin_views.card_documents import CardDocumentActions
from models import AuditLog, Card
from rules import settings
from rules.card_documents import default_day
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot, gen_user
from tests.pdfs import pdf_text

KINDS = ("checklist", "receipt", "renewal")
TITLES = {"checklist": "交付チェックリスト", "receipt": "受領書", "renewal": "電子証明書更新申請書"}


@pytest.fixture
def clerk(auth, database):
    gen_user("clerk", login="tanaka")
    auth.login("tanaka")
    return auth


def resident_card(**fields):
    defaults = {
        "name": "髙橋　一郎",
        "kana": "タカハシ　イチロウ",
        "birth_date": datetime.date(1958, 11, 30),
        "address": "高知県安芸市矢ノ丸一丁目4番40号",
        "card_expiry": datetime.date(2036, 11, 30),
        "cert_expiry": datetime.date(2031, 11, 30),
    }
    return gen_card(**{**defaults, **fields})


def pages(data):
    """The text of each page, first to last."""
    return pdf_text(data).split("\f")[:-1]


@pytest.mark.parametrize("kind", KINDS)
def test_each_document_prints_the_cards_details(client, clerk, kind):
    """Does each document print the municipality, name, kana, notice number and dates, and no box for the 個人番号?"""
    settings.put("municipality_name", "高知県安芸市")
    card = resident_card()
    response = client.get(f"/admin/card_documents/pdf/{kind}?ids={card.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [text] = pages(response.data)
    assert TITLES[kind] in text and "高知県安芸市" in text
    assert "髙橋" in text and "タカハシ" in text and card.notice_number in text
    assert "1958年11月30日" in text and "2036年11月30日" in text and "2031年11月30日" in text
    assert "個人番号" not in text.replace("個人番号カード", "")
    if kind == "renewal":
        assert "高知県安芸市矢ノ丸一丁目4番40号" in text


def test_a_selection_of_three_cards_gives_three_pages_in_the_order_asked(client, clerk):
    """Does a selection of 3 cards make one PDF of 3 pages, one card a page, in the order of the ids?"""
    cards = [resident_card(name=name) for name in ("一番　花子", "二番　次郎", "三番　三郎")]
    ids = ",".join(str(card.id) for card in reversed(cards))
    response = client.get(f"/admin/card_documents/pdf/receipt?ids={ids}")
    texts = pages(response.data)
    assert len(texts) == 3
    for text, card in zip(texts, reversed(cards), strict=True):
        assert card.name.split("　")[0] in text and card.notice_number in text


def test_day_batch_prints_tomorrows_collect_bookings_of_the_location_in_time_order(client, clerk):
    """Does the batch hold tomorrow's 交付 bookings there only, in time order, missing cards on the cover?"""
    location, elsewhere = gen_location(name="本庁 市民課"), gen_location(name="東支所")
    day = default_day()
    afternoon = gen_slot(location=location, day=day, start=datetime.time(14, 30))
    morning = gen_slot(location=location, day=day, start=datetime.time(9, 0))
    late = resident_card(name="午後　来庁")
    early = resident_card(name="午前　来庁", birth_date=datetime.date(1990, 5, 6))
    gen_reservation(slot=afternoon, purpose="collect", card=late, notice_number=late.notice_number)
    gen_reservation(slot=morning, purpose="collect", notice_number=early.notice_number, birth_date=early.birth_date)
    missing = gen_reservation(slot=morning, purpose="collect", notice_number="XYZ-123456", name="不明　予約")
    gen_reservation(slot=morning, purpose="renew_cert", name="更新　予約")
    elsewhere_card = resident_card(name="支所　来庁")
    gen_reservation(slot=gen_slot(location=elsewhere, day=day), purpose="collect", card=elsewhere_card)

    response = client.get(f"/admin/card_documents/day/checklist?location={location.id}")

    cover, first, second = pages(response.data)
    assert "本庁 市民課" in cover and f"{day.year}年{day.month}月{day.day}日" in cover
    assert "不明" in cover and missing.number in cover and "XYZ-123456" in cover and "管理簿にありません" in cover
    assert cover.index("午前") < cover.index("午後")
    assert "午前" in first and "09:00" in first and early.notice_number in first
    assert "午後" in second and "14:30" in second and late.notice_number in second
    whole = pdf_text(response.data)
    assert "支所" not in whole.replace("東支所", "") and "更新" not in whole.replace("更新の手続", "")


def test_the_screen_shows_the_day_batch_and_its_missing_cards(client, clerk):
    """Does the screen show tomorrow's batch by default, with a warning for a booking whose card is missing?"""
    location = gen_location()
    slot = gen_slot(location=location, day=default_day())
    gen_reservation(slot=slot, purpose="collect", card=resident_card(name="画面　確認"))
    gen_reservation(slot=slot, purpose="collect", notice_number=None, name="番号　なし")
    page = client.get(f"/admin/card_documents/?location={location.id}").get_data(as_text=True)
    assert "画面　確認" in page and "予約に交付通知書番号がありません" in page
    assert f"/admin/card_documents/day/receipt?location={location.id}&amp;day={default_day().isoformat()}" in page


def test_pdf_output_is_audited_with_the_cards_printed(client, clerk):
    """Is every PDF output written to the audit log with who printed which cards?"""
    first, second = resident_card(), resident_card()
    client.get(f"/admin/card_documents/pdf/renewal?ids={first.id},{second.id}")
    client.get(f"/admin/card_documents/pdf/receipt?ids={first.id}")
    rows = list(AuditLog.select().where(AuditLog.action == "pdf").order_by(AuditLog.id))
    assert [(row.model, row.login) for row in rows] == [("Card", "tanaka"), ("Card", "tanaka")]
    assert rows[0].detail == f"電子証明書更新申請書 2枚 カードID {first.id},{second.id}"
    assert rows[1].object_id == str(first.id) and rows[1].detail == f"受領書 1枚 カードID {first.id}"


def test_viewer_is_refused(client, auth, database):
    """Is a viewer refused (403) the screen and every PDF, and is nothing printed?"""
    card = resident_card()
    location = gen_location()
    gen_user("viewer", login="miru")
    auth.login("miru")
    for url in (
        "/admin/card_documents/",
        f"/admin/card_documents/pdf/receipt?ids={card.id}",
        f"/admin/card_documents/day/checklist?location={location.id}",
    ):
        assert client.get(url).status_code == 403, url
    assert not AuditLog.select().where(AuditLog.action == "pdf").exists()


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("{card},99999", "管理簿にないカードIDがあります: 99999。印刷していません。"),
        ("{card},abc", "カードIDは数字をカンマで区切って指定してください(例: 1,2,3)。印刷していません。"),
        ("", "印刷するカードが選ばれていません。印刷していません。"),
    ],
)
def test_an_unknown_or_malformed_id_is_refused_clearly(client, clerk, ids, message):
    """Is a selection with an unknown or malformed id refused with a message, nothing printed?"""
    card = resident_card()
    response = client.get(f"/admin/card_documents/pdf/receipt?ids={ids.format(card=card.id)}", follow_redirects=True)
    assert response.mimetype == "text/html" and message in response.get_data(as_text=True)
    assert not AuditLog.select().where(AuditLog.action == "pdf").exists()


def test_an_unknown_document_kind_is_not_found(client, clerk):
    """Does a document name that does not exist answer 404?"""
    assert client.get(f"/admin/card_documents/pdf/letter?ids={resident_card().id}").status_code == 404


class PrintableCardView(CardDocumentActions, StaffModelView):
    """Only for this test: the mixin on a card list, as the lead developer will add it to the ledger."""

    column_list = ("name", "notice_number")


@pytest.mark.parametrize(
    ("action_name", "kind"),
    [("print_checklist", "checklist"), ("print_receipt", "receipt"), ("print_renewal", "renewal")],
)
def test_list_actions_print_the_ticked_cards(app, client, auth, database, action_name, kind):
    """Does each list action send the browser to that document's PDF of exactly the ticked cards?"""
    admin = app.extensions["admin"][0]
    admin.add_view(PrintableCardView(Card, name="印刷テスト", endpoint="printable_cards"))
    cards = [resident_card(name=name) for name in ("選択　一", "選択　二", "選択　外")]
    gen_user("clerk", login="sato")
    auth.login("sato")

    listing = client.get("/admin/printable_cards/").get_data(as_text=True)
    assert "チェックリスト印刷" in listing and "受領書印刷" in listing and "更新申請書印刷" in listing
    response = auth.post("/admin/printable_cards/action/", {"action": action_name, "rowid": [cards[0].id, cards[1].id]})

    assert response.status_code == 302
    assert unquote(response.headers["Location"]) == f"/admin/card_documents/pdf/{kind}?ids={cards[0].id},{cards[1].id}"
    printed = client.get(response.headers["Location"])
    texts = pages(printed.data)
    assert len(texts) == 2 and "選択" in texts[0] and TITLES[kind] in texts[1]
    assert not any(re.search("選択 *外", text) for text in texts)


def test_ledger_list_prints_the_ticked_cards(client, auth, database):
    """From the カード管理簿 list, does the 受領書 action print exactly the ticked cards?"""
    first = gen_card(name="山﨑　太郎", notice_number="AAA-000001")
    gen_card(name="田中　花子", notice_number="AAA-000002")
    third = gen_card(name="渡辺　一郎", notice_number="AAA-000003")
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    response = auth.post("/admin/card/action/", {"action": "print_receipt", "rowid": [first.id, third.id]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/card_documents/pdf/receipt?ids={first.id},{third.id}")
