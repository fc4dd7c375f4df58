import json

from playwright.sync_api import expect

from rules.card_documents import default_day
from tests.browser.staff import SLOW, sign_in
from tests.browser.test_accessibility_browser import violations
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot, gen_user


def test_a_clerk_prints_the_day_batch_and_the_new_tab_shows_the_pdf(page, live_server, database):
    """Does the day batch's button open a tab that shows the sheets' progress and then the PDF?"""
    gen_user("clerk", login="suzuki")
    location = gen_location(name="本庁 市民課")
    slot = gen_slot(location=location, day=default_day())
    for number in range(3):
        card = gen_card(name=f"安芸　{number}")
        gen_reservation(slot=slot, purpose="collect", card=card, notice_number=card.notice_number)
    sign_in(page, live_server, "suzuki")
    page.goto(f"{live_server}/admin/card_documents/?location={location.id}")

    pages_answered = []
    page.context.on("response", lambda response: pages_answered.append(response))

    with page.context.expect_event("response", lambda response: "/print/pdf/" in response.url, timeout=SLOW) as pdf:
        page.get_by_role("link", name="受領書(PDF)").click()

    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"
    progress_page, job = [response for response in pages_answered if "/print/receipt?" in response.url]
    assert progress_page.request.method == "GET" and progress_page.headers["content-type"].startswith("text/html")
    assert job.request.method == "POST"
    assert any("/print/progress/" in response.url for response in pages_answered)
    assert pdf.value.frame.page is not page


def test_the_printing_page_shows_the_sheets_done(page, live_server, database):
    """While the PDF is being made, does the printing page show a progress bar with 「n / 総数 枚」 and
    pass axe-core's WCAG checks?"""
    gen_user("clerk", login="suzuki")
    cards = [gen_card() for _ in range(3)]
    sign_in(page, live_server, "suzuki")
    still_working = json.dumps({"done": 2, "total": 3, "pdf": None, "error": None})
    page.route("**/print/progress/**", lambda route: route.fulfill(content_type="application/json", body=still_working))

    page.goto(f"{live_server}/admin/card_documents/print/receipt?ids={','.join(str(card.id) for card in cards)}")

    expect(page.locator("#print-progress-text")).to_have_text("2 / 3 枚", timeout=SLOW)
    expect(page.locator("#print-progress-bar")).to_have_attribute("max", "3")
    expect(page.get_by_role("link", name="PDFを開く")).to_be_hidden()
    assert violations(page) == []
