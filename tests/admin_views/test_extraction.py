import datetime

from models import AuditLog
from rules.clock import today
from tests.factories import gen_card, gen_user

URL = "/admin/extraction/"


def _cards_query(**extra):
    return {"dataset": "cards", "start": today().isoformat(), "end": today().isoformat(), **extra}


def test_the_preview_counts_and_shows_the_first_rows(client, supervisor):
    """Does the preview say how many rows there are and show the chosen columns of the first ones?"""
    for number in range(3):
        gen_card(name=f"安芸　{number}", delivered_on=today())
    page = client.get(URL, query_string=_cards_query(column=["name", "stage"], preview="1")).get_data(as_text=True)
    assert "3件" in page and "安芸　2" in page and '<th scope="col">工程</th>' in page
    assert '<th scope="col">氏名フリガナ</th>' not in page


def test_the_csv_holds_the_chosen_columns_and_is_audited(client, supervisor):
    """Is the CSV the chosen columns in UTF-8 with a BOM, and the download audited with what was taken?"""
    gen_card(name="安芸　太郎", delivered_on=today(), cert_expiry=datetime.date(2031, 5, 1))
    response = client.get(f"{URL}csv", query_string=_cards_query(column=["name", "cert_expiry"]))
    assert response.get_data(as_text=True) == "\ufeff氏名,電子証明書有効期限\r\n安芸　太郎,2031-05-01\r\n"
    row = AuditLog.get(AuditLog.action == "export")
    assert row.model == "カード管理簿" and "1件: 氏名、電子証明書有効期限" in row.detail


def test_cp932_names_the_cells_it_cannot_write(client, supervisor):
    """Does a CP932 extraction holding 𠮷 come back to the page naming the cell, with nothing downloaded or logged?"""
    gen_card(name="𠮷田　一", delivered_on=today())
    response = client.get(f"{URL}csv", query_string=_cards_query(column=["name"], encoding="cp932"))
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and "2行目「氏名」の「𠮷」" in page
    assert not AuditLog.select().where(AuditLog.action == "export").exists()


def test_cp932_csv_is_shift_jis(client, supervisor):
    """Is a CP932 extraction really encoded in CP932, 髙 and ① included?"""
    gen_card(name="髙橋　①", delivered_on=today())
    response = client.get(f"{URL}csv", query_string=_cards_query(column=["name"], encoding="cp932"))
    assert response.data.decode("cp932") == "氏名\r\n髙橋　①\r\n"


def test_clerks_cannot_extract(client, auth, database):
    """Are the page and the download refused to a clerk on the server?"""
    gen_user("clerk", login="tanto")
    auth.login("tanto")
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}csv", query_string=_cards_query(column=["name"])).status_code == 403
