import datetime

from playhouse.test_utils import count_queries

from models import AuditLog
from rules.clock import today
from tests.factories import gen_location, gen_reservation, gen_slot, gen_user

URL = "/admin/statistics_report/"


def _booked_this_month():
    location = gen_location(name="本庁 市民課")
    gen_reservation(slot=gen_slot(location=location, day=today().replace(day=1)), people=3)


def test_the_default_report_is_the_last_twelve_months_by_location(client, supervisor):
    """Does the page open on twelve months of booked people per location, with the chart and a totals row?"""
    _booked_this_month()
    page = client.get(URL).get_data(as_text=True)
    assert page.count('<tr><th scope="row" class="text-left">') == 13  # 12 months and the totals
    assert "本庁 市民課" in page and f"{today().year}年{today().month}月" in page
    assert 'src="/admin/statistics_report/chart.png?' in page


def test_the_chart_is_a_png_of_the_same_choice(client, supervisor):
    """Is the chart a PNG image drawn for the chosen report?"""
    _booked_this_month()
    response = client.get(f"{URL}chart.png?subject=visited&breakdown=channel&unit=week")
    assert response.mimetype == "image/png" and response.data.startswith(b"\x89PNG")


def test_the_csv_has_every_period_and_the_totals_and_is_audited(client, supervisor):
    """Does the CSV hold a header, one line per period and the totals, its download in the audit log?"""
    _booked_this_month()
    first = today().replace(day=1)
    response = client.get(f"{URL}csv?subject=reserved&breakdown=all&unit=day&start={first}&end={first}")
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines == ["期間,合計,合計", f"{first:%Y/%m/%d},3,3", "合計,3,3"]
    assert AuditLog.get(AuditLog.action == "export").model == "集計"


def test_a_report_that_cannot_be_made_is_explained_and_drawn_for_nobody(client, supervisor):
    """Does an impossible choice give its reason on the page, and no chart or CSV?"""
    bad = "subject=issued&breakdown=channel"
    assert "「交付(枚)」は「受付経路」別には集計できません。" in client.get(f"{URL}?{bad}").get_data(as_text=True)
    assert client.get(f"{URL}chart.png?{bad}").status_code == 400
    assert client.get(f"{URL}csv?start=2026-13-01").status_code == 400


def test_clerks_cannot_see_statistics(client, auth, database):
    """Are the page, the chart and the CSV refused to a clerk on the server?"""
    gen_user("clerk", login="tanto")
    auth.login("tanto")
    for path in ("", "chart.png", "csv"):
        assert client.get(f"{URL}{path}").status_code == 403


def test_a_long_period_costs_no_more_queries(client, supervisor):
    """Does a year per day cost the same queries as a week (one grouped query, whatever the period)?"""
    _booked_this_month()

    def queries_for(days):
        start = today() - datetime.timedelta(days=days)
        with count_queries() as counter:
            assert client.get(f"{URL}?unit=day&start={start}&end={today()}").status_code == 200
        return counter.count

    assert queries_for(360) == queries_for(6)
