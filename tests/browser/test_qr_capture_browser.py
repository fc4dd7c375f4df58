from playwright.sync_api import expect

from models import Card, CardEvent
from tests.browser.staff import RECORD_TONES, sign_in
from tests.factories import gen_user
from tests.qr_codes import payload

URL = "/admin/qr_capture/"


def counts_cell(page, outcome, column):
    return page.locator(f'#capture-counts tr[data-outcome="{outcome}"] td.{column}')


def test_clerk_captures_forty_scans_with_three_duplicates(page, live_server, database):
    """Does a clerk typing 40 payloads with Enter, 3 of them repeats, see 37 新規 and 3 重複 per 来庁区分?"""
    gen_user("clerk", login="aki")
    sign_in(page, live_server, "aki")
    page.goto(live_server + URL)
    field = page.locator("#payload")
    expect(field).to_be_focused()
    codes = [payload(number, visit="1" if number % 5 == 0 else "2") for number in range(37)]
    scans = codes[:20] + [codes[0], codes[7]] + codes[20:] + [codes[36]]
    for text in scans:
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    expect(counts_cell(page, "new", "count-total")).to_have_text("37")
    expect(counts_cell(page, "duplicate", "count-total")).to_have_text("3")
    expect(counts_cell(page, "new", "count-at_application")).to_have_text("8")
    expect(counts_cell(page, "duplicate", "count-at_application")).to_have_text("1")
    expect(page.locator("#capture-scans tbody tr[data-scan]")).to_have_count(40)
    expect(field).to_be_focused()
    assert Card.select().count() == 37 and CardEvent.select().count() == 37

    page.get_by_role("button", name="直前の読み取りを取り消す").click()
    expect(page.get_by_text("取り消しました: 重複")).to_be_visible()
    page.get_by_role("button", name="読み取りを終了して集計する").click()
    expect(page.get_by_role("heading", name="QR読取登録の集計")).to_be_visible()
    expect(counts_cell(page, "duplicate", "count-total")).to_have_text("2")


def test_capture_works_without_javascript(browser, live_server, database):
    """Without JavaScript, does each Enter post the form and come back with the scan listed and the field focused?"""
    gen_user("clerk", login="aki")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "aki")
    page.goto(live_server + URL)
    for text in (payload(1), payload(1)):
        page.locator("#payload").fill(text)
        page.locator("#payload").press("Enter")
        page.wait_for_load_state()
    expect(counts_cell(page, "new", "count-total")).to_have_text("1")
    expect(counts_cell(page, "duplicate", "count-total")).to_have_text("1")
    expect(page.locator("#payload")).to_be_focused()
    context.close()


def test_sound_cues_differ_for_new_duplicate_and_error(page, live_server, database):
    """Does the page play one high tone for a new card, two middle ones for a repeat and a low buzz for an error?"""
    gen_user("clerk", login="aki")
    sign_in(page, live_server, "aki")
    page.add_init_script(RECORD_TONES)
    page.goto(live_server + URL)
    for text in (payload(1), payload(1), "hello"):
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    expect(counts_cell(page, "error", "count-total")).to_have_text("1")
    page.wait_for_function("window.recordedTones.length === 5")
    assert page.evaluate("window.recordedTones") == [880, 660, 660, 220, 180]
