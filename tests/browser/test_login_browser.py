from playwright.sync_api import expect

from tests.factories import PASSWORD, gen_user


def test_login_wrong_password_then_logout(page, live_server, database):
    """In a real browser, does a clerk see a Japanese error for a wrong password, get in, and log out?"""
    gen_user("clerk", login="tanaka", name="田中 一郎")
    page.goto(f"{live_server}/admin/")
    expect(page.get_by_role("heading", name="職員ログイン")).to_be_visible()
    page.get_by_label("ログインID").fill("tanaka")
    page.get_by_label("パスワード").fill("wrong-password-1")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("ログインIDまたはパスワードが正しくありません。")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="今日の状況")).to_be_visible()
    expect(page.locator("#signed-in-as")).to_have_text("田中 一郎(担当者)")
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_text("ログアウトしました。")).to_be_visible()
    expect(page.get_by_role("heading", name="職員ログイン")).to_be_visible()
