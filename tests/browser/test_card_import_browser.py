from pathlib import Path

from playwright.sync_api import expect

from models import Card
from tests.browser.staff import sign_in
from tests.factories import gen_user

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "card_list_default.csv"


def import_sample(page, live_server):
    page.goto(f"{live_server}/admin/card_import/")
    page.get_by_label("CSVファイル").set_input_files(str(SAMPLE))
    page.get_by_label("取込設定").select_option("default")
    page.get_by_role("button", name="内容を確認する").click()
    expect(page.locator("#import-sample")).to_contain_text("髙橋　健一")
    page.get_by_role("button", name="この内容で登録する(40件新規・0件更新)").click()
    expect(page.get_by_text("登録しました(新規 40件・更新 0件)。")).to_be_visible()


def test_clerk_imports_sample_with_progress(page, live_server, database):
    """Does a clerk upload the sample, see its preview, confirm, and reach the result through the progress poll?"""
    gen_user("clerk", login="aki")
    sign_in(page, live_server, "aki")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/progress/" in request.url else None)
    import_sample(page, live_server)
    assert polls and "/admin/card_import/result/" in page.url
    assert Card.select().count() == 40


def test_import_works_without_javascript(browser, live_server, database):
    """Without JavaScript, does the confirm fall back to a plain POST that imports the sample?"""
    gen_user("clerk", login="aki")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "aki")
    import_sample(page, live_server)
    assert page.url.endswith("/admin/card_import/apply")
    assert Card.select().count() == 40
    context.close()
