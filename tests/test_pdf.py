import datetime
import re
import threading

import pdf
from models import CARD_STAGES, ISSUE_KINDS, SEXES, VISIT_TYPES, AuditLog
from rules import settings
from rules.card_documents import day_batch, default_day, sheets_for_cards
from rules.clock import today
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot
from tests.pdfs import pdf_fonts, pdf_text

CARD_LABELS = {
    "stages": dict(CARD_STAGES),
    "issue_kinds": dict(ISSUE_KINDS),
    "visit_types": dict(VISIT_TYPES),
    "sexes": dict(SEXES),
    "counter_phone": "",
    "public_site_url": "",
    "printed_on": today(),
    "reminder_deadline": today(),
}


def test_japanese_prints_with_the_embedded_font(app, database, tmp_path):
    """Does a PDF print the municipality name in Japanese, with IPAex Gothic embedded?"""
    settings.put("municipality_name", "高知県安芸市")
    with app.app_context():
        data = pdf.render_pdf("base.html")
    assert data.startswith(b"%PDF")
    assert "高知県安芸市" in pdf_text(data)
    embedded = [line for line in pdf_fonts(data, tmp_path).splitlines() if "IPAexGothic" in line]
    assert embedded and " yes " in embedded[0]


def test_formatting_filters_speak_japanese():
    """Do amounts and dates read the way a Japanese receipt writes them?"""
    assert pdf.yen(1800) == "1,800円"
    assert pdf.japanese_date(datetime.date(2026, 4, 1)) == "2026年4月1日"
    assert pdf.japanese_date(datetime.datetime(2026, 4, 1, 9, 5)) == "2026年4月1日 09:05"
    assert pdf.japanese_date_with_weekday(datetime.date(2026, 12, 3)) == "2026年12月3日(木)"


def test_concurrent_renders_all_succeed(app, database):
    """Do PDFs asked for by several threads at once all come out whole?"""
    results = []
    with app.app_context():
        municipality = settings.get("municipality_name")

    def render():
        results.append(pdf.render_pdf("base.html", municipality_name=municipality))

    threads = [threading.Thread(target=render) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert all(municipality in pdf_text(data) for data in results)


def test_pdf_response_is_inline_and_audited(app, database):
    """Does the browser get an inline PDF with a Japanese file name, and the log a 'pdf' row?"""
    with app.test_request_context("/admin/"):
        response = pdf.pdf_response("base.html", "領収書.pdf", model="FeePayment", object_id=7)
    assert response.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E9%A0%98%E5%8F%8E%E6%9B%B8.pdf" in response.headers["Content-Disposition"]
    row = AuditLog.get(AuditLog.action == "pdf")
    assert (row.model, row.object_id, row.detail) == ("FeePayment", "7", "領収書.pdf")


def day_batch_of(count):
    """A day's 交付 bookings with a card each, and one booking whose card is missing."""
    location = gen_location(name="本庁 市民課")
    day = default_day()
    for number in range(count):
        slot = gen_slot(location=location, day=day, start=datetime.time(9 + number // 6, number % 6 * 10))
        card = gen_card(name=f"安芸　{number:02d}")
        gen_reservation(slot=slot, purpose="collect", card=card, notice_number=card.notice_number)
    gen_reservation(slot=slot, purpose="collect", notice_number="XYZ-999999", name="不明　予約")
    return day_batch(location, day)


def test_a_day_batch_in_chunks_prints_the_same_pages_as_in_one_piece(app, database):
    """Do 45 checklists rendered 20 at a time give the same pages, cover once in front, as one render,
    footers numbered 1 to the total, with progress reported chunk by chunk?"""
    batch = day_batch_of(45)
    context = {"batch": batch, **CARD_LABELS}
    reported = []
    with app.app_context():
        whole = pdf.render_pdf("card_checklist.html", sheets=batch.sheets, **context)
        chunked = pdf.render_pdf_in_chunks(
            "card_checklist.html",
            batch.sheets,
            progress=lambda done, total: reported.append((done, total)),
            front_matter=True,
            chunk_size=20,
            **context,
        )
    pages = pdf_text(chunked).split("\f")[:-1]
    assert pages == pdf_text(whole).split("\f")[:-1]
    cover = pages[: len(pages) - 45]
    assert cover and "印刷一覧" in cover[0] and "不明" in "".join(cover)
    assert sum("印刷一覧" in page for page in pages) == 1
    assert [re.search(r"(\d+) / (\d+)", page).groups() for page in pages] == [
        (str(number), str(len(pages))) for number in range(1, len(pages) + 1)
    ]
    assert reported == [(0, 45), (20, 45), (40, 45), (45, 45)]


def test_a_selection_in_chunks_has_no_cover(app, database):
    """Do 21 cards picked by id, rendered 20 at a time, print 21 pages numbered to 21 and no cover?"""
    sheets = sheets_for_cards([gen_card().id for _ in range(21)])
    with app.app_context():
        data = pdf.render_pdf_in_chunks(
            "card_receipt.html", sheets, progress=lambda done, total: None, chunk_size=20, batch=None, **CARD_LABELS
        )
    pages = pdf_text(data).split("\f")[:-1]
    assert len(pages) == 21 and "印刷一覧" not in pdf_text(data)
    assert "1 / 21" in pages[0] and "21 / 21" in pages[20]
