import datetime
import subprocess

import pytest

from models import AuditLog, Reservation
from rules.clock import today
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot, gen_user


@pytest.fixture
def clerk(auth, database):
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    return auth


def test_todays_bookings_in_time_order(client, clerk):
    """Does the check-in list show today's bookings at the chosen location, earliest first, without cancelled ones?"""
    location = gen_location()
    late = gen_slot(location=location, day=today(), start=datetime.time(15, 0))
    early = gen_slot(location=location, day=today(), start=datetime.time(9, 0))
    gen_reservation(slot=late, name="遅い　予約")
    gen_reservation(slot=early, name="早い　予約")
    gen_reservation(slot=early, name="取消　済み", status="cancelled")
    gen_reservation(slot=gen_slot(location=gen_location(), day=today()), name="別の　場所")
    page = client.get(f"/admin/checkin/?location={location.id}").get_data(as_text=True)
    assert page.index("早い　予約") < page.index("遅い　予約")
    assert "取消　済み" not in page and "別の　場所" not in page


def test_one_click_visit_and_undo_are_audited(client, clerk):
    """Does one click mark 来庁済, does undo bring it back, and is each change in the audit log?"""
    reservation = gen_reservation(slot=gen_slot(day=today()))
    clerk.post(f"/admin/checkin/visit/{reservation.id}")
    visited = Reservation.get_by_id(reservation.id)
    assert visited.status == "visited" and visited.checked_in_at is not None
    clerk.post(f"/admin/checkin/undo/{reservation.id}")
    assert Reservation.get_by_id(reservation.id).status == "booked"
    changes = [row.changes for row in AuditLog.select().where(AuditLog.model == "Reservation").order_by(AuditLog.id)]
    assert changes == ['{"status": ["booked", "visited"]}', '{"status": ["visited", "booked"]}']


def test_no_shows_only_after_the_slot(client, clerk, monkeypatch):
    """At noon, are only today's bookings whose slot has ended marked 不来庁?"""
    monkeypatch.setattr("admin_views.checkin.now", lambda: datetime.datetime.combine(today(), datetime.time(12, 0)))
    location = gen_location()
    yesterday = gen_reservation(slot=gen_slot(location=location, day=today() - datetime.timedelta(days=1)))
    morning = gen_reservation(slot=gen_slot(location=location, day=today(), start=datetime.time(9, 0)))
    visited = gen_reservation(
        slot=gen_slot(location=location, day=today(), start=datetime.time(10, 0)), status="visited"
    )
    afternoon = gen_reservation(slot=gen_slot(location=location, day=today(), start=datetime.time(13, 0)))
    clerk.post("/admin/checkin/no-shows", {"location": location.id})
    statuses = {r.id: r.status for r in Reservation.select()}
    assert statuses == {yesterday.id: "booked", morning.id: "no_show", visited.id: "visited", afternoon.id: "booked"}


def test_search_by_kana_in_any_script(client, clerk):
    """Does a hiragana or half-width search find a booking stored in katakana?"""
    location = gen_location()
    slot = gen_slot(location=location, day=today())
    gen_reservation(slot=slot, name="山﨑　太郎", kana="ヤマサキ　タロウ")
    gen_reservation(slot=slot, name="田中　花子", kana="タナカ　ハナコ")
    for search in ("やまさき", "ﾔﾏｻｷ"):
        page = client.get(f"/admin/checkin/?location={location.id}&q={search}").get_data(as_text=True)
        assert "山﨑　太郎" in page and "田中　花子" not in page


def test_notice_qr_scan_jumps_to_the_booking(client, clerk):
    """Does scanning a 交付通知書 QR code open the right location with that booking highlighted?"""
    other = gen_location()
    gen_slot(location=other, day=today())
    location = gen_location()
    reservation = gen_reservation(
        slot=gen_slot(location=location, day=today()), purpose="collect", notice_number="6A6-244944"
    )
    code = "MNCL1,44418521867264284878260,6A6-244944,20200506,2,ヤマサキ　タロウ"
    response = client.get("/admin/checkin/scan", query_string={"code": code, "location": other.id})
    assert response.status_code == 302
    assert f"location={location.id}" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"#r-{reservation.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="r-{reservation.id}" class="table-warning"' in page


def test_scan_of_unknown_or_garbled_code_explains(client, clerk):
    """Is a code with no booking today, or no notice number at all, answered with a reason?"""
    gen_location()
    unknown = client.get("/admin/checkin/scan?code=ZZZ-000000", follow_redirects=True).get_data(as_text=True)
    assert "交付通知書番号 ZZZ-000000 の本日の予約はありません。" in unknown
    garbled = client.get("/admin/checkin/scan?code=hello", follow_redirects=True).get_data(as_text=True)
    assert "読み取れませんでした" in garbled


def test_viewer_sees_but_cannot_check_in(client, auth, database):
    """Can a viewer read today's list but not change it?"""
    reservation = gen_reservation(slot=gen_slot(day=today()))
    gen_user("viewer", login="miru")
    auth.login("miru")
    assert client.get("/admin/checkin/").status_code == 200
    assert auth.post(f"/admin/checkin/visit/{reservation.id}").status_code == 403
    assert Reservation.get_by_id(reservation.id).status == "booked"


def test_day_list_prints_and_makes_a_pdf(client, clerk, tmp_path):
    """Does the day's list print from the browser and as a PDF holding the names, numbers and date?"""
    location = gen_location(name="本庁 市民課")
    reservation = gen_reservation(
        slot=gen_slot(location=location, day=today(), start=datetime.time(10, 30)),
        name="山﨑　太郎",
        kana="ヤマサキ　タロウ",
    )
    html = client.get(f"/admin/checkin/print?location={location.id}").get_data(as_text=True)
    assert "来庁予約一覧" in html and "山﨑　太郎" in html and "@page" in html
    response = client.get(f"/admin/checkin/pdf?location={location.id}")
    assert response.mimetype == "application/pdf"
    pdf_file = tmp_path / "list.pdf"
    pdf_file.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True).stdout
    day = today()
    assert "来庁予約一覧" in text and "本庁 市民課" in text and f"{day.year}年{day.month}月{day.day}日" in text
    assert "山﨑" in text and reservation.number in text and "10:30" in text
    assert AuditLog.get(AuditLog.action == "pdf").model == "Reservation"


def test_apply_booking_opens_a_prefilled_application(client, clerk):
    """Does a 申請 booking at check-in lead with one click to an application form filled from it?"""
    reservation = gen_reservation(
        slot=gen_slot(day=today()), purpose="apply", name="山﨑　太郎", kana="ヤマサキ　タロウ"
    )
    page = client.get(f"/admin/checkin/?location={reservation.slot.location_id}").get_data(as_text=True)
    link = f"/admin/application/new/?reservation={reservation.id}"
    assert link in page
    form = client.get(link).get_data(as_text=True)
    assert 'value="山﨑　太郎"' in form and 'value="ヤマサキ　タロウ"' in form


def test_collect_booking_leads_to_its_card(client, clerk):
    """Does a 交付 booking at check-in link to its card's page, where it is handed over?"""
    card = gen_card(notice_number="6A6-244944")
    reservation = gen_reservation(slot=gen_slot(day=today()), purpose="collect", card=card, notice_number="6A6-244944")
    page = client.get(f"/admin/checkin/?location={reservation.slot.location_id}").get_data(as_text=True)
    assert f"/admin/card_detail/{card.id}" in page
