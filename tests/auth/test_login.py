import datetime

from models import AuditLog, User
from rules import settings
from tests.conftest import AuthActions
from tests.factories import PASSWORD, gen_user

LOGIN_FAILED = "ログインIDまたはパスワードが正しくありません。"


def audit_actions(login=None):
    query = AuditLog.select().order_by(AuditLog.id)
    if login:
        query = query.where(AuditLog.login == login)
    return [row.action for row in query]


def test_login_page_is_japanese(client):
    """Does the staff login page speak Japanese?"""
    page = client.get("/admin/login").get_data(as_text=True)
    assert "職員ログイン" in page and "ログインID" in page and "パスワード" in page


def test_login_and_logout_are_audited(client, auth, database):
    """Does a clerk get in with the right password, get out again, and leave both in the log?"""
    gen_user("clerk", login="tanaka")
    response = auth.login("tanaka")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    assert "今日の状況" in client.get("/admin/").get_data(as_text=True)
    auth.logout()
    assert client.get("/admin/").status_code == 302
    assert audit_actions("tanaka") == ["login", "logout"]


def test_wrong_password_and_unknown_login_look_the_same(client, auth, database):
    """Does the failure message hide whether the login id exists?"""
    gen_user("clerk", login="tanaka")
    known = auth.login("tanaka", "wrong-password-1").get_data(as_text=True)
    unknown = auth.login("nobody", "wrong-password-1").get_data(as_text=True)
    assert LOGIN_FAILED in known and LOGIN_FAILED in unknown
    assert audit_actions() == ["login_failed", "login_failed"]
    assert AuditLog.get(AuditLog.login == "nobody").user is None


def test_five_failures_lock_even_the_right_password(client, auth, database):
    """Do five wrong passwords lock the account, so that the right one is refused next?"""
    user = gen_user("clerk", login="tanaka")
    for _ in range(5):
        auth.login("tanaka", "wrong-password-1")
    assert User.get_by_id(user.id).locked_at is not None
    page = auth.login("tanaka", PASSWORD).get_data(as_text=True)
    assert LOGIN_FAILED in page
    assert client.get("/admin/").status_code == 302
    assert audit_actions("tanaka") == ["login_failed"] * 5 + ["lockout", "login_refused_locked"]


def test_success_resets_the_failure_count(auth, database):
    """Does a good login forgive earlier failures?"""
    user = gen_user("clerk", login="tanaka")
    for _ in range(4):
        auth.login("tanaka", "wrong-password-1")
    auth.login("tanaka")
    assert User.get_by_id(user.id).failed_logins == 0


def test_auto_unlock_after_the_configured_minutes(auth, database):
    """When the setting allows it, does a lock expire by itself?"""
    settings.put("lockout_auto_unlock_minutes", "15")
    user = gen_user(
        "clerk", login="tanaka", failed_logins=5, locked_at=datetime.datetime.now() - datetime.timedelta(days=1)
    )
    assert auth.login("tanaka").status_code == 302
    assert User.get_by_id(user.id).locked_at is None
    assert audit_actions("tanaka") == ["unlock", "login"]


def test_lock_stays_without_auto_unlock(auth, database):
    """With the default setting, does only an administrator unlock?"""
    gen_user("clerk", login="tanaka", failed_logins=5, locked_at=datetime.datetime(2020, 1, 1))
    assert LOGIN_FAILED in auth.login("tanaka").get_data(as_text=True)


def test_admin_unlocks_a_locked_account(client, auth, database):
    """Does the unlock action clear the lock and write an audit row?"""
    locked = gen_user("clerk", login="tanaka", failed_logins=5, locked_at=datetime.datetime(2020, 1, 1))
    gen_user("admin", login="boss")
    auth.login("boss")
    auth.post("/admin/user/action/", {"action": "unlock", "rowid": str(locked.id)})
    assert User.get_by_id(locked.id).locked_at is None
    row = AuditLog.get(AuditLog.action == "unlock")
    assert (row.login, row.object_id) == ("boss", str(locked.id))


def test_inactive_account_cannot_login(auth, database):
    """Is a deactivated account refused like a wrong password?"""
    gen_user("clerk", login="gone", active=False)
    assert LOGIN_FAILED in auth.login("gone").get_data(as_text=True)


def test_empty_and_overlong_fields_are_refused_in_japanese(client, auth, database):
    """Do empty or overlong login fields get a Japanese message and write nothing?"""
    token = auth.fetch_token()
    empty = client.post("/admin/login", data={"login": "", "password": "", "csrf_token": token})
    page = empty.get_data(as_text=True)
    assert "ログインIDを入力してください。" in page and "パスワードを入力してください。" in page
    overlong = client.post("/admin/login", data={"login": "x" * 65, "password": "p" * 129, "csrf_token": token})
    page = overlong.get_data(as_text=True)
    assert "64文字以内" in page and "128文字以内" in page
    assert AuditLog.select().count() == 0


def test_missing_or_forged_csrf_token_is_refused(client, database):
    """Is a login post without a valid CSRF token refused with a Japanese 400 and no trace?"""
    gen_user("clerk", login="tanaka")
    missing = client.post("/admin/login", data={"login": "tanaka", "password": PASSWORD})
    forged = client.post("/admin/login", data={"login": "tanaka", "password": PASSWORD, "csrf_token": "forged"})
    for response in (missing, forged):
        assert response.status_code == 400
        assert "フォームの有効期限が切れたか" in response.get_data(as_text=True)
    assert AuditLog.select().count() == 0
    assert User.get(User.login == "tanaka").last_login_at is None


def test_idle_session_expires(client, auth, database):
    """Is a staff session signed out after the idle timeout?"""
    gen_user("clerk", login="tanaka")
    auth.login("tanaka")
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/").status_code == 302
    assert audit_actions("tanaka")[-1] == "session_timeout"


def test_page_assets_leave_the_session_cookie_alone(client, auth, database):
    """Do asset requests and quick successive pages leave the session cookie alone, so that an asset
    finishing after a form's response cannot put back the older cookie and lose the form's message?"""
    gen_user("clerk", login="tanaka")
    auth.login("tanaka")
    client.get("/admin/")
    with client.get("/admin/static/admin/js/helpers.js") as asset:
        assert "Set-Cookie" not in asset.headers
    assert "Set-Cookie" not in client.get("/admin/").headers
    with client.session_transaction() as session:
        session["seen"] -= 60
    assert "Set-Cookie" in client.get("/admin/").headers


def test_next_parameter_cannot_leave_the_site(auth, database):
    """Does a crafted ?next= never redirect to another host?"""
    gen_user("clerk", login="tanaka")
    token = auth.fetch_token()
    response = auth.client.post(
        "/admin/login?next=//evil.example/", data={"login": "tanaka", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"].endswith("/admin/")


def test_password_change_ends_the_other_sessions(app, client, auth, database):
    """Does changing one's password end the sessions signed in before it (another PC), while the
    session that changed it stays signed in, and is the change audited?"""
    gen_user("clerk", login="tanaka")
    other_pc = AuthActions(app.test_client())
    other_pc.login("tanaka")
    auth.login("tanaka")
    auth.fetch_token("/admin/password/")
    new_password = "kawatta-2026"
    response = auth.post(
        "/admin/password/",
        {"current_password": PASSWORD, "new_password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert other_pc.client.get("/admin/").status_code == 302
    assert "password_change" in audit_actions("tanaka")
    assert auth.logout() and auth.login("tanaka", new_password).headers["Location"].endswith("/admin/")


def test_administrator_reset_ends_the_users_sessions(app, auth, database):
    """When an administrator sets a new password for a clerk, is the clerk's open session ended?"""
    clerk = gen_user("clerk", login="tanaka")
    gen_user("admin", login="kanri")
    clerk_pc = AuthActions(app.test_client())
    clerk_pc.login("tanaka")
    assert clerk_pc.client.get("/admin/").status_code == 200
    auth.login("kanri")
    auth.fetch_token(f"/admin/user/edit/?id={clerk.id}")
    fields = {"login": "tanaka", "name": clerk.name, "role": "clerk", "active": "y", "new_password": "atarashii-2026"}
    assert auth.post(f"/admin/user/edit/?id={clerk.id}", fields).status_code == 302
    assert clerk_pc.client.get("/admin/").status_code == 302
