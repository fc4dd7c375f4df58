import datetime
import threading

import pdf
from models import AuditLog
from rules import settings
from tests.pdfs import pdf_fonts, pdf_text


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
