import datetime
import os
import re
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from admin_views import pending_uploads
from admin_views.base import StaffModelView
from admin_views.card_documents import CardDocumentActions
from models import AuditLog, Card, StorageLocation
from rules import settings
from rules.card_documents import default_day
from rules.card_stages import reminder_deadline
from rules.clock import today
from rules.wareki import era_date
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


def printed_without_script(client, print_page_url):
    """The PDF that the progress page's plain link (the way without JavaScript) gives."""
    page = client.get(print_page_url).get_data(as_text=True)
    [plain_url] = re.findall(r'<p id="print-plain"><a class="btn btn-primary" href="([^"]+)"', page)
    return client.get(plain_url.replace("&amp;", "&"))


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
    assert f"/admin/card_documents/print/receipt?location={location.id}&amp;day={default_day().isoformat()}" in page


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
    """Does each list action send the browser to the printing page of that document for exactly the ticked cards?"""
    admin = app.extensions["admin"][0]
    admin.add_view(PrintableCardView(Card, name="印刷テスト", endpoint="printable_cards"))
    cards = [resident_card(name=name) for name in ("選択　一", "選択　二", "選択　外")]
    gen_user("clerk", login="sato")
    auth.login("sato")

    listing = client.get("/admin/printable_cards/").get_data(as_text=True)
    assert "チェックリスト印刷" in listing and "受領書印刷" in listing and "更新申請書印刷" in listing
    response = auth.post("/admin/printable_cards/action/", {"action": action_name, "rowid": [cards[0].id, cards[1].id]})

    assert response.status_code == 302
    assert (
        unquote(response.headers["Location"]) == f"/admin/card_documents/print/{kind}?ids={cards[0].id},{cards[1].id}"
    )
    printed = printed_without_script(client, response.headers["Location"])
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
    assert unquote(response.headers["Location"]) == f"/admin/card_documents/print/receipt?ids={first.id},{third.id}"


def overdue_card(**fields):
    """A card on the 督促対象 list: notified, its 交付期限 a month gone."""
    card = resident_card(**fields)
    Card.update(stage="notified", issue_deadline=today() - datetime.timedelta(days=30)).where(
        Card.id == card.id
    ).execute()
    return Card.get_by_id(card.id)


def test_reminder_letter_is_addressed_and_gives_a_new_deadline_and_the_counter(client, clerk):
    """Does the 督促状 print the address block, today and the new deadline in 和暦, the number, place and phone?"""
    settings.put("municipality_name", "高知県安芸市")
    settings.put("counter_phone", "0887-35-9999")
    settings.put("card_reminder_grace_days", "20")
    settings.put("public_site_url", "https://yoyaku.city.aki.example/")
    branch = gen_location(name="東支所 窓口", address="高知県安芸市東町1番1号")
    box = StorageLocation.create(location=branch, code="E-1", cabinet="E")
    card = overdue_card(storage=box)

    response = client.get(f"/admin/card_documents/pdf/reminder?ids={card.id}")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [text] = pages(response.data)
    assert re.search("髙橋 +一郎 +様", text) and "高知県安芸市矢ノ丸一丁目4番40号" in text
    assert "受け取りについて(お知らせ)" in text and card.notice_number in text
    assert era_date(today()) in text and era_date(reminder_deadline(today())) in text
    assert "高知県安芸市長" in text and "0887-35-9999" in text and "https://yoyaku.city.aki.example/" in text
    assert "東支所 窓口" in text and "高知県安芸市東町1番1号" in text
    assert "交付通知書" in text and "本人確認書類" in text and "通知カード" in text and "予約" in text
    assert "1958" not in text and "昭和33年" not in text and "11月30日" not in text
    assert "個人番号" not in text.replace("個人番号カード", "")


def test_reminder_letters_are_a_page_a_card_and_a_card_without_address_still_prints(client, clerk):
    """Does a selection print one letter a page, the one without an address addressed by name alone?"""
    with_address = overdue_card(name="住所　あり")
    without = overdue_card(name="住所　なし", address="")
    response = client.get(f"/admin/card_documents/pdf/reminder?ids={with_address.id},{without.id}")
    first, second = pages(response.data)
    assert re.search("住所 +あり +様", first) and "矢ノ丸" in first
    assert re.search("住所 +なし +様", second) and "矢ノ丸" not in second and without.notice_number in second


def test_the_worklist_prints_the_ticked_reminders_without_moving_them(client, clerk):
    """From 督促対象, does the print button give the ticked cards' letters, audited, their stage unchanged?"""
    first, second, left = overdue_card(name="督促　一"), overdue_card(name="督促　二"), overdue_card(name="督促　外")
    page = client.get("/admin/card_worklist/reminders").get_data(as_text=True)
    assert "選んだカードの督促状を印刷(PDF)" in page and 'formaction="/admin/card_documents/selected/reminder"' in page

    response = clerk.post("/admin/card_documents/selected/reminder", {"card_id": [first.id, second.id]})

    assert unquote(response.headers["Location"]) == f"/admin/card_documents/print/reminder?ids={first.id},{second.id}"
    texts = pages(printed_without_script(client, response.headers["Location"]).data)
    assert len(texts) == 2 and "督促" in texts[0] and not any(re.search("督促 *外", text) for text in texts)
    assert {card.stage for card in Card.select()} == {"notified"} and left.stage == "notified"
    row = AuditLog.get(AuditLog.action == "pdf")
    assert row.login == "tanaka" and row.detail == f"督促状 2枚 カードID {first.id},{second.id}"


def test_viewer_can_read_the_worklist_but_not_print_reminders(client, auth, database):
    """Is a viewer shown no print button and refused (403) the letters, nothing printed?"""
    card = overdue_card()
    gen_user("viewer", login="miru")
    auth.login("miru")
    page = client.get("/admin/card_worklist/reminders").get_data(as_text=True)
    assert card.name in page and "選んだカードの督促状を印刷(PDF)" not in page
    assert auth.post("/admin/card_documents/selected/reminder", {"card_id": [card.id]}).status_code == 403
    assert client.get(f"/admin/card_documents/pdf/reminder?ids={card.id}").status_code == 403
    assert not AuditLog.select().where(AuditLog.action == "pdf").exists()


def test_a_reminder_for_an_unknown_card_is_refused_clearly(client, clerk):
    """Is a reminder selection holding an id the ledger lacks refused with the documents' message, nothing printed?"""
    card = overdue_card()
    response = clerk.post("/admin/card_documents/selected/reminder", {"card_id": [card.id, 99999]})
    refused = client.get(response.headers["Location"], follow_redirects=True)
    assert "管理簿にないカードIDがあります: 99999。印刷していません。" in refused.get_data(as_text=True)
    assert not AuditLog.select().where(AuditLog.action == "pdf").exists()


def test_reminders_are_not_a_day_batch_document(client, clerk):
    """Is the 督促状 offered for a selection but not for a day's 交付 bookings, whose residents are coming?"""
    location = gen_location()
    page = client.get(f"/admin/card_documents/?location={location.id}").get_data(as_text=True)
    assert 'formaction="/admin/card_documents/print/reminder"' in page
    assert "/admin/card_documents/print/reminder?location" not in page
    assert client.get(f"/admin/card_documents/day/reminder?location={location.id}").status_code == 404


def test_ledger_list_prints_reminders_for_the_ticked_cards(client, clerk):
    """From the カード管理簿 list, does the 督促状 action print exactly the ticked cards?"""
    first, _, third = overdue_card(), overdue_card(), overdue_card()
    assert "督促状印刷" in client.get("/admin/card/").get_data(as_text=True)
    response = clerk.post("/admin/card/action/", {"action": "print_reminder", "rowid": [first.id, third.id]})
    assert unquote(response.headers["Location"]) == f"/admin/card_documents/print/reminder?ids={first.id},{third.id}"


def started_job(auth, url):
    """Start the background PDF of a printing page's address, as its script does; the progress address."""
    response = auth.post(url)
    assert response.status_code == 200, response.status_code
    return response.get_json()["progress"]


def finished_job(client, progress_url):
    """Poll a PDF job until its PDF is ready; every state seen."""
    states = [client.get(progress_url).get_json()]
    for _ in range(400):
        if states[-1]["pdf"] or states[-1]["error"]:
            break
        time.sleep(0.05)
        states.append(client.get(progress_url).get_json())
    return states


def pdf_job_files(app):
    folder = Path(app.config["DATA_DIR"]) / "pdf_jobs"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_a_background_job_reports_progress_and_gives_the_pdf(client, clerk, app):
    """Does the printing page's job count 25 receipts to the end and give their PDF, again on a
    reload, audited once with the address of the request that started it?"""
    cards = [resident_card(name=f"背景　{number}") for number in range(25)]
    ids = ",".join(str(card.id) for card in cards)
    page = client.get(f"/admin/card_documents/print/receipt?ids={ids}").get_data(as_text=True)
    assert "受領書の印刷(25枚)" in page and "0 / 25 枚" in page
    assert f'href="/admin/card_documents/pdf/receipt?ids={ids}"' in page

    states = finished_job(client, started_job(clerk, f"/admin/card_documents/print/receipt?ids={ids}"))

    assert (states[-1]["done"], states[-1]["total"], states[-1]["error"]) == (25, 25, None)
    assert all(state["total"] in (0, 25) for state in states)
    response = client.get(states[-1]["pdf"])
    assert response.mimetype == "application/pdf" and "inline" in response.headers["Content-Disposition"]
    assert unquote(response.headers["Content-Disposition"]).endswith("受領書_25枚.pdf")
    texts = pages(response.data)
    assert len(texts) == 25 and "1 / 25" in texts[0] and "25 / 25" in texts[24]
    [row] = AuditLog.select().where(AuditLog.action == "pdf")
    assert row.login == "tanaka" and row.model == "Card" and row.detail == f"受領書 25枚 カードID {ids}"
    assert row.ip == "127.0.0.1" and row.path.startswith("/admin/card_documents/print/receipt")
    assert client.get(states[-1]["pdf"]).data == response.data
    assert AuditLog.select().where(AuditLog.action == "pdf").count() == 1


def test_a_day_batch_job_prints_what_the_plain_address_prints(client, clerk):
    """Does the background day batch give the same pages, cover first, as the address without JavaScript?"""
    location = gen_location(name="本庁 市民課")
    slot = gen_slot(location=location, day=default_day())
    for number in range(3):
        card = resident_card(name=f"一括　{number}")
        gen_reservation(slot=slot, purpose="collect", card=card, notice_number=card.notice_number)
    gen_reservation(slot=slot, purpose="collect", notice_number="XYZ-123456", name="不明　予約")
    query = f"location={location.id}&day={default_day().isoformat()}"

    states = finished_job(client, started_job(clerk, f"/admin/card_documents/print/checklist?{query}"))
    in_background = pages(client.get(states[-1]["pdf"]).data)

    assert in_background == pages(client.get(f"/admin/card_documents/day/checklist?{query}").data)
    assert len(in_background) == 4 and "印刷一覧" in in_background[0] and "不明" in in_background[0]
    assert AuditLog.get(AuditLog.action == "pdf").detail.startswith("交付チェックリスト 本庁 市民課")


def test_another_user_cannot_follow_or_take_a_job(client, clerk, auth):
    """Is a PDF job's progress and PDF hidden (404) from another clerk?"""
    card = resident_card()
    progress = started_job(clerk, f"/admin/card_documents/print/receipt?ids={card.id}")
    pdf_url = finished_job(client, progress)[-1]["pdf"]
    auth.logout()
    gen_user("clerk", login="yamada")
    auth.login("yamada")
    assert client.get(progress).status_code == 404 and client.get(pdf_url).status_code == 404
    assert client.get("/admin/card_documents/print/pdf/" + "..%2F" * 9).status_code in (400, 404)


def test_abandoned_job_files_are_removed(client, clerk, app):
    """Is the PDF of a job nobody came back to removed after half a day, when the next job starts?"""
    card = resident_card()
    finished_job(client, started_job(clerk, f"/admin/card_documents/print/receipt?ids={card.id}"))
    abandoned = pdf_job_files(app)
    assert [path.suffix for path in abandoned] == [".pdf", ".progress"]
    for path in abandoned:
        os.utime(path, (time.time() - pending_uploads.KEEP_SECONDS - 60,) * 2)
    finished_job(client, started_job(clerk, f"/admin/card_documents/print/receipt?ids={card.id}"))
    assert not any(path.exists() for path in abandoned) and len(pdf_job_files(app)) == 2


def test_the_printing_page_refuses_unknown_cards_with_todays_message(client, clerk):
    """Does the printing page, and its job, refuse an unknown card id with the message, nothing printed?"""
    card = resident_card()
    response = client.get(f"/admin/card_documents/print/receipt?ids={card.id},99999", follow_redirects=True)
    assert "管理簿にないカードIDがあります: 99999。印刷していません。" in response.get_data(as_text=True)
    assert clerk.post(f"/admin/card_documents/print/receipt?ids={card.id},99999").status_code == 302
    assert client.get("/admin/card_documents/print/checklist", follow_redirects=True).status_code == 200
    assert not AuditLog.select().where(AuditLog.action == "pdf").exists()


def test_viewer_is_refused_the_printing_page_and_its_job(client, auth, database):
    """Is a viewer refused (403) the printing page, starting a job and following one, nothing printed?"""
    card = resident_card()
    gen_user("viewer", login="miru")
    auth.login("miru")
    url = f"/admin/card_documents/print/receipt?ids={card.id}"
    assert client.get(url).status_code == 403
    assert auth.post(url).status_code == 403
    assert client.get("/admin/card_documents/print/progress/" + "a" * 43).status_code == 403
    assert client.get("/admin/card_documents/print/pdf/" + "a" * 43).status_code == 403
    assert not AuditLog.select().where(AuditLog.action == "pdf").exists()


def test_a_job_that_fails_says_so_and_audits_nothing(client, clerk, monkeypatch):
    """When making the PDF raises, does the job end with the Japanese message, no PDF and no audit row?"""

    def broken(*args, **kwargs):
        raise RuntimeError("xhtml2pdf fell over")

    monkeypatch.setattr("admin_views.card_documents.render_pdf_in_chunks", broken)
    card = resident_card()
    states = finished_job(client, started_job(clerk, f"/admin/card_documents/print/receipt?ids={card.id}"))
    assert states[-1]["error"] == "PDFの作成中にシステムエラーが発生しました。もう一度印刷してください。"
    assert states[-1]["pdf"] is None
    assert not AuditLog.select().where(AuditLog.action == "pdf").exists()
