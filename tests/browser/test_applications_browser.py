import re

from playwright.sync_api import expect

from tests import sample_files
from tests.browser.staff import SLOW, sign_in
from tests.factories import gen_reservation, gen_user
from tests.pdfs import pdf_text

FORM_ID = "20261203000000000000001"


def test_clerk_records_support_application_takes_fee_and_scans(page, live_server, database):
    """Does a clerk turn a reservation into a 申請サポート application, take the 特急 reissue fee, print the
    receipt, upload a 3-page scan, and does another clerk open it from the applicant's page?"""
    gen_user("clerk", login="aki", name="安芸 窓口")
    gen_user("clerk", login="tosa", name="土佐 窓口")
    reservation = gen_reservation(name="室戸　次郎", kana="ムロト　ジロウ", phone="0887-22-3333")

    sign_in(page, live_server, "aki")
    page.goto(f"{live_server}/admin/application/new/?reservation={reservation.id}")
    expect(page.locator("#name")).to_have_value("室戸　次郎", timeout=SLOW)
    page.locator("#application_form_id").fill(FORM_ID)
    page.locator("#method").select_option("support")
    page.locator("#visit_type").select_option("at_issuance")
    page.locator("#issue_kind").select_option("reissue")
    page.locator("#reissue_cause").select_option("lost")
    page.locator("#express").check()
    page.locator("form").get_by_role("button", name=re.compile("^保存$")).click()

    expect(page.get_by_role("heading", name=re.compile("室戸.次郎"))).to_be_visible(timeout=SLOW)
    expect(page.locator("#due-total")).to_have_text("2,000円", timeout=SLOW)
    page.get_by_role("button", name="収納する").click()
    expect(page.get_by_text("2,000円を収納しました")).to_be_visible(timeout=SLOW)

    receipt_url = page.get_by_role("link", name="領収書PDF").first.get_attribute("href")
    receipt = page.context.request.get(f"{live_server}{receipt_url}")
    assert receipt.headers["content-type"] == "application/pdf"
    assert "室戸 次郎 様" in pdf_text(receipt.body()) and "2,000円" in pdf_text(receipt.body())

    page.locator("#files").set_input_files(
        [{"name": "申請書.pdf", "mimeType": "application/pdf", "buffer": sample_files.pdf(pages=3)}]
    )
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_text("書類イメージを1件(3ページ)登録しました。")).to_be_visible(timeout=SLOW)

    page.get_by_role("button", name="ログアウト").click()
    sign_in(page, live_server, "tosa")
    page.goto(f"{live_server}/admin/application/?search={FORM_ID}")
    page.get_by_role("link", name=FORM_ID).click()
    page.get_by_role("link", name="すべてのページを表示(3ページ)").click()
    expect(page.locator("#page-position")).to_have_text("1 / 3", timeout=SLOW)
    page.get_by_role("link", name="次へ").click()
    expect(page.locator("#page-position")).to_have_text("2 / 3", timeout=SLOW)
    page.get_by_role("link", name="200%").click()
    image = page.locator("#viewer-image")
    expect(image).to_have_attribute("style", "width: 200%", timeout=SLOW)
    page.wait_for_function(
        "() => { const shown = document.querySelector('#viewer-image'); return shown.naturalWidth > 1000; }",
        timeout=SLOW,
    )
