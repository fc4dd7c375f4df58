"""The staff site's hours on the server: 6:30〜23:00, closed the day after the 3rd Saturday and
12月29日〜1月3日; administrators, the residents' site and /healthz are never shut out."""

import datetime

import pytest

import admin_views.home
import auth.hours
import auth.routes
from models import AuditLog, User
from rules import settings
from tests.factories import gen_user

MONDAY = datetime.date(2026, 3, 16)
DAY_AFTER_THIRD_SATURDAY = datetime.date(2026, 3, 22)
OUTSIDE_HOURS = "現在は職員用サイトの利用時間外です。"
HOURS = "職員用サイトの利用時間は 6:30〜23:00 です(毎月第3土曜日の翌日と12月29日〜1月3日は休止)。"
REFUSED = "職員用サイトの利用時間外のため、管理者以外はログインできません。"
SIGNED_OUT = "職員用サイトの利用時間外のため、ログアウトしました。"


@pytest.fixture
def clock(monkeypatch, database):
    """The design's hours in the settings, and a wall clock the test sets: ``clock(datetime)``."""
    settings.put("staff_site_hours", "06:30-23:00")
    settings.put("staff_site_closed_after_third_saturday", "はい")
    settings.put("staff_site_closed_new_year", "はい")

    def set_clock(moment):
        for module in (auth.hours, auth.routes, admin_views.home):
            monkeypatch.setattr(module, "now", lambda: moment)

    return set_clock


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def actions(login):
    return [row.action for row in AuditLog.select().where(AuditLog.login == login).order_by(AuditLog.id)]


def test_clerk_signs_in_within_the_hours(client, auth, clock):
    """At 22:59 on a Monday, does a clerk sign in and reach the staff home as usual?"""
    gen_user("clerk", login="tanaka")
    clock(at(MONDAY, 22, 59))
    assert auth.login("tanaka").headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200


def test_login_page_shows_the_closed_notice(client, clock):
    """Outside the hours, does the login page still show, with the reason and the hours at the top?"""
    clock(at(MONDAY, 6, 29))
    response = client.get("/admin/login")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "職員ログイン" in page
    assert f"{OUTSIDE_HOURS}{HOURS}" in page
    clock(at(MONDAY, 6, 30))
    assert OUTSIDE_HOURS not in client.get("/admin/login").get_data(as_text=True)


def test_clerk_is_refused_at_23_without_counting_a_failure(client, auth, clock):
    """At 23:00, is a clerk with the right password refused with the reason, audited, and the
    lockout counter left as it was?"""
    user = gen_user("clerk", login="tanaka", failed_logins=2)
    clock(at(MONDAY, 23, 0))
    response = auth.login("tanaka")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and REFUSED in page and HOURS in page
    assert client.get("/admin/").status_code == 302
    stored = User.get_by_id(user.id)
    assert (stored.failed_logins, stored.locked_at, stored.last_login_at) == (2, None, None)
    assert actions("tanaka") == ["login_refused_hours"]


def test_wrong_password_outside_hours_is_an_ordinary_failure(auth, clock):
    """Outside the hours, is a wrong password still the usual failure, without telling the hours apart?"""
    user = gen_user("clerk", login="tanaka")
    clock(at(MONDAY, 23, 30))
    page = auth.login("tanaka", "wrong-password-1").get_data(as_text=True)
    assert "ログインIDまたはパスワードが正しくありません。" in page and REFUSED not in page
    assert User.get_by_id(user.id).failed_logins == 1
    assert actions("tanaka") == ["login_failed"]


def test_administrator_is_admitted_outside_hours(client, auth, clock):
    """At 23:00 and on a closed day, may an administrator sign in and fix the settings?"""
    gen_user("admin", login="kanri")
    for moment in (at(MONDAY, 23, 0), at(DAY_AFTER_THIRD_SATURDAY, 10)):
        clock(moment)
        assert auth.login("kanri").headers["Location"].endswith("/admin/")
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/setting/").status_code == 200
        auth.logout()
    assert actions("kanri") == ["login", "logout", "login", "logout"]


def test_staff_home_shows_the_hours(client, auth, clock):
    """Does the staff home show the hours, and an administrator on a closed day why it is closed?"""
    gen_user("clerk", login="tanaka")
    gen_user("admin", login="kanri")
    clock(at(MONDAY, 9))
    auth.login("tanaka")
    assert f'<p class="text-muted" id="staff-hours">{HOURS}</p>' in client.get("/admin/").get_data(as_text=True)
    auth.logout()
    clock(at(DAY_AFTER_THIRD_SATURDAY, 9))
    auth.login("kanri")
    assert "本日は第3土曜日の翌日のため、職員用サイトを休止しています。" in client.get("/admin/").get_data(as_text=True)


def test_signed_in_clerk_is_signed_out_at_23(client, auth, clock):
    """When 23:00 comes, is a signed-in clerk signed out on the next page, told why, and audited?"""
    gen_user("clerk", login="tanaka")
    clock(at(MONDAY, 22, 59))
    auth.login("tanaka")
    assert client.get("/admin/reservation/").status_code == 200
    clock(at(MONDAY, 23, 0))
    response = client.get("/admin/reservation/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/login")
    page = client.get("/admin/login").get_data(as_text=True)
    assert SIGNED_OUT in page and f"{OUTSIDE_HOURS}{HOURS}" in page
    assert client.get("/admin/").status_code == 302
    assert actions("tanaka") == ["login", "staff_hours_signout"]
    assert HOURS in AuditLog.get(AuditLog.action == "staff_hours_signout").detail


def test_static_assets_are_served_outside_hours(client, auth, clock):
    """Does a signed-in clerk keep the staff site's stylesheets outside the hours (no sign-out for them)?"""
    gen_user("clerk", login="tanaka")
    clock(at(MONDAY, 12))
    auth.login("tanaka")
    clock(at(MONDAY, 23, 30))
    with client.get("/admin/static/bootstrap/bootstrap4/css/bootstrap.min.css") as stylesheet:
        assert stylesheet.status_code == 200
    assert actions("tanaka") == ["login"]


def test_closed_all_day_after_the_third_saturday(client, auth, clock):
    """On the day after the 3rd Saturday, is a supervisor refused even at noon, with that reason?"""
    gen_user("supervisor", login="sekinin")
    clock(at(DAY_AFTER_THIRD_SATURDAY, 12))
    page = auth.login("sekinin").get_data(as_text=True)
    assert REFUSED in page and "本日は第3土曜日の翌日のため、職員用サイトを休止しています。" in page
    clock(at(DAY_AFTER_THIRD_SATURDAY - datetime.timedelta(days=1), 12))
    assert auth.login("sekinin").status_code == 302
    assert actions("sekinin") == ["login_refused_hours", "login"]


def test_closed_over_the_new_year(auth, clock):
    """From 12月29日 to 1月3日, is a clerk refused, and let in again on 1月4日?"""
    gen_user("clerk", login="tanaka")
    clock(at(datetime.date(2026, 12, 29), 9))
    assert "本日は年末年始(12月29日〜1月3日)のため" in auth.login("tanaka").get_data(as_text=True)
    clock(at(datetime.date(2027, 1, 4), 9))
    assert auth.login("tanaka").status_code == 302


def test_settings_turned_off_keep_the_site_open(auth, clock):
    """With the hours empty and both closed days off, is a clerk let in at 3:00 on New Year's Day?"""
    gen_user("clerk", login="tanaka")
    settings.put("staff_site_hours", "")
    settings.put("staff_site_closed_after_third_saturday", "いいえ")
    settings.put("staff_site_closed_new_year", "いいえ")
    clock(at(datetime.date(2027, 1, 1), 3))
    assert auth.login("tanaka").status_code == 302


def test_public_site_and_health_check_are_never_closed(client, clock):
    """At 3:00 on a closed day, do the residents' site and /healthz answer as usual?"""
    clock(at(datetime.date(2027, 1, 1), 3))
    assert client.get("/").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert AuditLog.select().count() == 0


def test_administrator_cannot_store_bad_hours(client, auth, clock):
    """On the settings screen, is a mistyped hours text refused with the Japanese message and not stored?"""
    from models import Setting

    gen_user("admin", login="kanri")
    clock(at(MONDAY, 12))
    auth.login("kanri")
    row = Setting.get(Setting.key == "staff_site_hours")
    auth.fetch_token(f"/admin/setting/edit/?id={row.id}")
    page = auth.post(f"/admin/setting/edit/?id={row.id}", {"value": "23:00-06:30"}).get_data(as_text=True)
    assert "終了は開始より後の時刻にしてください" in page
    assert settings.get("staff_site_hours") == "06:30-23:00"
    assert auth.post(f"/admin/setting/edit/?id={row.id}", {"value": ""}).status_code == 302
    assert settings.get("staff_site_hours") == ""
