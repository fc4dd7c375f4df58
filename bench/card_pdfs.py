"""Benchmark of the 交付書類 PDFs (issue 5): 200 受領書 pages rendered through the staff screen's PDF
address (sign-in, ledger query, xhtml2pdf with IPAex Gothic embedded, audit row), once as one PDF of
200 cards, once as the printing page's background job does it (20 cards a chunk, merged, polled), and
once as 200 single-card PDFs; and, as the baseline in the same run, a one-page PDF with no Japanese
text (xhtml2pdf's built-in Helvetica, nothing embedded).

    .venv/bin/python bench/card_pdfs.py [--cards 200]
"""

import argparse
import datetime
import io
import re
import sys
import tempfile
import time
from pathlib import Path

from xhtml2pdf import pisa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from cli import upgrade_schema  # noqa: E402
from database import make_database  # noqa: E402
from models import Card, db  # noqa: E402
from rules import settings  # noqa: E402
from rules.staff_hours import open_around_the_clock  # noqa: E402
from tests.conftest import AuthActions  # noqa: E402
from tests.factories import gen_location, gen_user  # noqa: E402

BASELINE_PAGES = 20
BASELINE_HTML = """<html><head><style>@page { size: a4 portrait; margin: 18mm 16mm; }
td, th { border: 0.5pt solid #000; padding: 1.5mm 2mm; }</style></head><body>
<h1>Receipt</h1><p>I have received the card described below.</p>
<table><tr><th>Notice number</th><td>ABC-000001</td></tr><tr><th>Name</th><td>Taro Aki</td></tr>
<tr><th>Date of birth</th><td>1970-01-02</td></tr><tr><th>Card expiry</th><td>2036-01-02</td></tr>
<tr><th>Signature</th><td>&nbsp;</td></tr></table></body></html>"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=200)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        db.initialize(make_database(url))
        with db.connection_context():
            upgrade_schema()
            card_ids = made_cards(arguments.cards)
            gen_user("clerk", login="bench")
            open_around_the_clock(settings.put)  # the staff site's hours would stop a run at night
        app = create_app({"DATABASE_URL": url, "DATA_DIR": folder, "SECRET_KEY": "bench", "SITE": "staff"})
        client = app.test_client()
        auth = AuthActions(client)
        auth.login("bench")
        print(f"受領書, {len(card_ids)} cards, SQLite, GET /admin/card_documents/pdf/receipt as a clerk")
        started = time.perf_counter()
        receipt_pdf(client, card_ids[:1])
        print(f"first PDF of the process (fonts, templates): {time.perf_counter() - started:.2f} s")
        report("one PDF of all cards", *timed(lambda: [receipt_pdf(client, card_ids)]))
        report("the same in the background", *timed(lambda: [receipt_pdf_in_background(auth, card_ids)]))
        report("a PDF per card", *timed(lambda: [receipt_pdf(client, [card_id]) for card_id in card_ids]))
        report("baseline: 1 page, no Japanese", *timed(lambda: [baseline_pdf() for _ in range(BASELINE_PAGES)]))


def made_cards(count):
    location = gen_location(name="本庁 市民課")
    rows = [
        {
            "application_form_id": f"{number:023d}",
            "name": f"安芸　太郎{number}",
            "kana": "アキ　タロウ",
            "kana_key": "アキタロウ",
            "birth_date": datetime.date(1950, 1, 1) + datetime.timedelta(days=number * 97),
            "address": f"高知県安芸市矢ノ丸一丁目{number}番地",
            "notice_number": f"AKI-{number:06d}",
            "card_expiry": datetime.date(2036, 1, 2),
            "cert_expiry": datetime.date(2031, 1, 2),
            "visit_type": "at_issuance",
            "stage": "notified",
            "location": location.id,
        }
        for number in range(1, count + 1)
    ]
    Card.insert_many(rows).execute()
    return [card.id for card in Card.select(Card.id).order_by(Card.id)]


def receipt_pdf(client, card_ids):
    response = client.get(f"/admin/card_documents/pdf/receipt?ids={','.join(map(str, card_ids))}")
    if response.mimetype != "application/pdf":
        raise SystemExit(f"PDFになりませんでした: {response.status_code}")
    return response.data


def receipt_pdf_in_background(auth, card_ids):
    """Start the printing page's job, poll it as its script does (every 0.5 s), and take the PDF."""
    progress = auth.post(f"/admin/card_documents/print/receipt?ids={','.join(map(str, card_ids))}").get_json()
    state = auth.client.get(progress["progress"]).get_json()
    while not state["pdf"]:
        if state["error"]:
            raise SystemExit(state["error"])
        time.sleep(0.5)
        state = auth.client.get(progress["progress"]).get_json()
    return auth.client.get(state["pdf"]).data


def baseline_pdf():
    output = io.BytesIO()
    pisa.pisaDocument(BASELINE_HTML, dest=output)
    return output.getvalue()


def timed(make_pdfs):
    """Pages made, wall-clock seconds, and this process's CPU seconds, which shared cores inflate less."""
    started, cpu_started = time.perf_counter(), time.process_time()
    pdfs = make_pdfs()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return sum(page_count(data) for data in pdfs), seconds, cpu_seconds, sum(len(data) for data in pdfs)


def page_count(data):
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def report(label, pages, seconds, cpu_seconds, size):
    print(
        f"{label:<30} {pages:4d} pages in {seconds:6.2f} s  {pages / seconds:6.1f} pages/s"
        f"  (CPU {cpu_seconds:6.2f} s, {pages / cpu_seconds:6.1f} pages per CPU second)  {size / 1e6:5.2f} MB"
    )


if __name__ == "__main__":
    main()
