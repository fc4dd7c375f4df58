import datetime

from models import CardEvent
from rules.clock import now, today
from tests.factories import gen_announcement, gen_card, gen_location, gen_reservation, gen_slot, gen_user


def test_home_shows_today_at_a_glance(client, auth, database):
    """Does the staff home show today's bookings per location, cards waiting and staff announcements?"""
    main = gen_location(name="本庁 市民課")
    gen_location(name="東部支所")
    slot = gen_slot(location=main, day=today())
    gen_reservation(slot=slot, purpose="apply", people=2)
    gen_reservation(slot=slot, purpose="collect", status="visited")
    gen_reservation(slot=gen_slot(location=main, day=today() + datetime.timedelta(days=1)))
    gen_card(stage="notified")
    gen_card(stage="issued")
    gen_announcement(title="検品のお願い", audience="staff", priority=1)
    gen_announcement(title="住民向けのみ", audience="public")
    gen_announcement(title="終了済み", audience="staff", ends_at=now() - datetime.timedelta(minutes=1))
    gen_user("viewer", login="miru")
    auth.login("miru")
    page = client.get("/admin/").get_data(as_text=True)
    table = page[page.index('id="today-reservations"') : page.index('id="cards-waiting"')]
    main_row = table[table.index("本庁 市民課") : table.index("東部支所")]
    assert [int(n) for n in __import__("re").findall(r"<td>(\d+)</td>", main_row)] == [2, 1, 0, 2, 1, 0, 0]
    assert "合計 1 枚" in page
    assert "検品のお願い" in page and "住民向けのみ" not in page and "終了済み" not in page


def test_statistics_count_per_day_and_download(client, auth, database):
    """Does the daily statistics page count bookings, visits and issued cards, and export them as CSV?"""
    day = today() - datetime.timedelta(days=1)
    slot = gen_slot(day=day)
    gen_reservation(slot=slot, status="visited", people=2)
    gen_reservation(slot=slot, status="cancelled")
    card = gen_card(stage="issued")
    CardEvent.create(
        card=card, at=datetime.datetime.combine(day, datetime.time(10)), from_stage="notified", to_stage="issued"
    )
    gen_user("supervisor", login="sekinin")
    auth.login("sekinin")
    csv_text = client.get(f"/admin/statistics/csv?start={day}&end={day}").get_data(as_text=True)
    assert csv_text.splitlines() == ["\ufeff日付,予約人数,来庁人数,申請受付,交付", f"{day.isoformat()},2,2,0,1"]
    bad = client.get("/admin/statistics/?start=2026-13-01").get_data(as_text=True)
    assert "YYYY-MM-DD" in bad
