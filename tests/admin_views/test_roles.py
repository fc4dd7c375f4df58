import json

import pytest

from models import Announcement, AuditLog, Location, User
from tests.factories import gen_location, gen_user


def forbidden_rows():
    return list(AuditLog.select().where(AuditLog.action == "forbidden"))


def test_admin_creates_a_clerk_who_cannot_open_the_user_list(client, auth, database):
    """Does an admin create a clerk, and does that clerk get 403 (audited) on the user list by URL?"""
    gen_user("admin", login="boss")
    auth.login("boss")
    response = auth.post(
        "/admin/user/new/",
        {"login": "suzuki", "name": "鈴木 一郎", "role": "clerk", "active": "y", "new_password": "madoguchi-2026"},
    )
    assert response.status_code == 302
    clerk = User.get(User.login == "suzuki")
    assert clerk.role == "clerk" and clerk.password_hash.startswith("$argon2")
    auth.logout()
    auth.login("suzuki", "madoguchi-2026")
    assert client.get("/admin/user/").status_code == 403
    row = forbidden_rows()[0]
    assert row.login == "suzuki" and row.model == "User" and "/admin/user/" in row.path


def test_new_user_password_must_follow_the_policy(client, auth, database):
    """Is a weak password for a new account refused in Japanese, with nothing written?"""
    gen_user("admin", login="boss")
    auth.login("boss")
    page = auth.post("/admin/user/new/", {"login": "weak", "name": "弱い", "role": "clerk", "new_password": "short"})
    assert "パスワードは10文字以上にしてください。" in page.get_data(as_text=True)
    assert not User.select().where(User.login == "weak").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/user/",
        "/admin/setting/",
        "/admin/auditlog/",
        "/admin/user/new/",
        "/admin/auditlog/export/csv/",
        "/admin/statistics/",
    ],
)
def test_clerk_is_kept_out_of_administration(client, auth, database, url):
    """Are users, settings, the audit log and statistics closed to a clerk, however the URL is typed?"""
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    assert client.get(url).status_code == 403
    assert len(forbidden_rows()) == 1


def test_viewer_reads_but_cannot_write(client, auth, database):
    """Can a viewer list locations but neither create, edit, delete, run actions nor export?"""
    location = gen_location()
    gen_user("viewer", login="miru")
    auth.login("miru")
    assert client.get("/admin/location/").status_code == 200
    assert client.get("/admin/reservation/").status_code == 200
    attempts = [
        client.get("/admin/reservation/new/"),
        auth.post("/admin/location/new/", {"code": "X", "name": "X"}),
        auth.post(f"/admin/location/edit/?id={location.id}", {"code": "X", "name": "X"}),
        auth.post("/admin/location/delete/", {"id": location.id}),
        auth.post("/admin/location/action/", {"action": "delete", "rowid": location.id}),
        client.get("/admin/reservation/export/csv/"),
    ]
    assert [response.status_code for response in attempts] == [403] * 6
    assert Location.get_by_id(location.id).name == location.name
    assert len(forbidden_rows()) == 6


def test_viewer_sees_no_write_buttons(client, auth, database):
    """Are create and export links hidden from a viewer, not only refused?"""
    gen_user("viewer", login="miru")
    auth.login("miru")
    page = client.get("/admin/reservation/").get_data(as_text=True)
    assert "/admin/reservation/new/" not in page and "/admin/reservation/export/" not in page


def test_supervisor_edits_slots_but_not_users(client, auth, database):
    """Does a supervisor reach slot settings and statistics but not staff accounts?"""
    gen_user("supervisor", login="sekinin")
    auth.login("sekinin")
    assert client.get("/admin/slot/new/").status_code == 200
    assert client.get("/admin/statistics/").status_code == 200
    assert client.get("/admin/user/").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, database):
    """Does every staff page send a visitor without a session to the login page?"""
    for url in ("/admin/", "/admin/user/", "/admin/reservation/export/csv/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_announcement_author_is_recorded(client, auth, database):
    """Does a new announcement remember who wrote it, with the create audited?"""
    admin = gen_user("admin", login="boss")
    auth.login("boss")
    auth.post(
        "/admin/announcement/new/",
        {"title": "休業", "body": "本文", "audience": "public", "priority": "0", "starts_at": "2026-12-01 09:00:00"},
    )
    announcement = Announcement.get()
    assert announcement.created_by_id == admin.id
    row = AuditLog.get(AuditLog.action == "create")
    assert row.model == "Announcement" and json.loads(row.changes)["title"] == [None, "休業"]
