import json

import pytest
from flask_admin.contrib.peewee import filters

from models import AuditLog, Location
from tests.factories import gen_location, gen_slot, gen_user


@pytest.fixture
def admin_session(auth, database):
    gen_user("admin", login="boss")
    auth.login("boss")
    return auth


def rows(action):
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def test_create_update_delete_record_before_and_after(client, admin_session):
    """Does every write through the staff site leave who, what and the changed fields?"""
    admin_session.post("/admin/location/new/", {"code": "KITA", "name": "北支所", "kind": "branch", "sort_order": "3"})
    location = Location.get(Location.code == "KITA")
    admin_session.post(
        f"/admin/location/edit/?id={location.id}",
        {"code": "KITA", "name": "北部支所", "kind": "branch", "sort_order": "3"},
    )
    admin_session.post("/admin/location/delete/", {"id": location.id})
    created, updated, deleted = rows("create")[0], rows("update")[0], rows("delete")[0]
    assert (created.model, created.object_id, created.login) == ("Location", str(location.id), "boss")
    assert json.loads(created.changes)["name"] == [None, "北支所"]
    assert json.loads(updated.changes) == {"name": ["北支所", "北部支所"]}
    assert json.loads(deleted.changes)["name"] == ["北部支所", None]
    assert created.ip == "127.0.0.1" and "/admin/location/new/" in created.path


def test_delete_of_a_referenced_row_is_refused_whole(client, admin_session):
    """Is a bulk delete that hits a referenced row refused for every row, with nothing audited?"""
    used = gen_location()
    gen_slot(location=used)
    unused = gen_location()
    page = admin_session.post(
        "/admin/location/action/", {"action": "delete", "rowid": [used.id, unused.id]}, follow_redirects=True
    ).get_data(as_text=True)
    assert "どれも削除しませんでした" in page
    assert Location.select().count() == 2
    assert rows("delete") == []


def test_export_is_audited_and_readable_by_excel(client, admin_session):
    """Is a CSV export recorded, and does it start with a BOM for Excel?"""
    gen_location(name="本庁")
    response = client.get("/admin/location/export/csv/")
    body = response.get_data()
    assert body.startswith("\ufeff".encode()) and "本庁".encode() in body
    assert rows("export")[0].model == "Location"


def test_audit_log_has_no_edit_or_delete_path(client, admin_session):
    """Is the audit log append-only, both in the staff site and in the model?"""
    row = AuditLog.select().first()
    for url in ("/admin/auditlog/new/", f"/admin/auditlog/edit/?id={row.id}"):
        assert client.get(url).status_code == 302
    admin_session.post("/admin/auditlog/delete/", {"id": row.id})
    admin_session.post("/admin/auditlog/action/", {"action": "delete", "rowid": row.id})
    assert AuditLog.get_or_none(AuditLog.id == row.id) is not None
    row.detail = "改ざん"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete_instance()


def filter_arg(app, view_endpoint, label, filter_class):
    """The URL argument Flask-Admin uses for one list filter of a view."""
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == view_endpoint)
    index = next(i for i, f in enumerate(view._filters) if f.name == label and type(f) is filter_class)
    return f"flt0_{index}"


def test_audit_log_filters_by_user_action_model_and_date(app, client, admin_session):
    """Can an administrator narrow the log by login, action, model and date, and export the result?"""
    gen_user("clerk", login="suzuki")
    admin_session.post("/admin/location/new/", {"code": "KITA", "name": "北支所", "kind": "branch", "sort_order": "1"})
    by_login = filter_arg(app, "auditlog", "ログインID", filters.FilterEqual)
    by_action = filter_arg(app, "auditlog", "操作", filters.FilterEqual)
    by_model = filter_arg(app, "auditlog", "対象", filters.FilterEqual)
    by_date = filter_arg(app, "auditlog", "日時", filters.DateTimeBetweenFilter)
    today = AuditLog.select().first().at.date().isoformat()
    query = f"{by_login}=boss&{by_action}=create&{by_model}=Location&{by_date}={today}+00:00:00+to+{today}+23:59:59"
    listing = client.get(f"/admin/auditlog/?{query}").get_data(as_text=True)
    assert "北支所" in listing and "ログイン</td>" not in listing
    export = client.get(f"/admin/auditlog/export/csv/?{query}").get_data(as_text=True)
    assert len(export.strip().splitlines()) == 2 and "北支所" in export
    nothing = client.get(f"/admin/auditlog/export/csv/?{by_login}=suzuki").get_data(as_text=True)
    assert len(nothing.strip().splitlines()) == 1


def test_lists_export_to_excel(client, admin_session):
    """Does a list export as an .xlsx workbook that holds the Japanese rows?"""
    import io

    import openpyxl

    gen_location(name="本庁 市民課")
    response = client.get("/admin/location/export/xlsx/")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "本庁 市民課" in values and "場所名" in values


def test_cp932_export_or_a_clear_refusal(client, admin_session):
    """Does a list export as CP932 for older PCs, and refuse with the cell named when a 𠮷 cannot be written?"""
    gen_location(name="本庁 市民課", code="HONCHO")
    exported = client.get("/admin/location/export/cp932/")
    assert exported.mimetype == "text/csv" and "本庁 市民課" in exported.data.decode("cp932")
    gen_location(name="𠮷田出張所", code="YOSHIDA")
    refused = client.get("/admin/location/export/cp932/", follow_redirects=True).get_data(as_text=True)
    assert "「場所名」の「𠮷」はCP932(Shift_JIS)で書けない文字です。" in refused
    assert "出力しませんでした" in refused
