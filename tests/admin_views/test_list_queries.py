import re

from playhouse.test_utils import count_queries

from models import StorageLocation
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot, gen_user


def list_page_queries(client, url):
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_list_pages_do_not_query_per_row(client, auth, database):
    """Do the busiest lists cost the same number of queries for 3 rows as for 30 (no N+1)?"""
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    location = gen_location()
    box = StorageLocation.create(location=location, code="A-1", cabinet="A", shelf="1")
    slot = gen_slot(location=location, capacity=50)
    for _ in range(3):
        gen_reservation(slot=slot)
        gen_card(storage=box, location=location)
    few = {url: list_page_queries(client, url) for url in ("/admin/reservation/", "/admin/card/")}
    for _ in range(27):
        gen_reservation(slot=slot)
        gen_card(storage=box, location=location)
    many = {url: list_page_queries(client, url) for url in ("/admin/reservation/", "/admin/card/")}
    assert few == many


def test_list_search_finds_kana_in_any_script(client, auth, database):
    """Does a hiragana or half-width kana search find a katakana name in the reservation list and the ledger?"""
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    gen_reservation(name="山﨑　太郎", kana="ヤマサキ　タロウ")
    gen_reservation(name="田中　花子", kana="タナカ　ハナコ")
    gen_card(name="山﨑　次郎", kana="ヤマサキ　ジロウ")
    for term in ("やまさき", "ﾔﾏｻｷ", "山﨑"):
        reservations = client.get(f"/admin/reservation/?search={term}").get_data(as_text=True)
        assert "山﨑　太郎" in reservations and "田中　花子" not in reservations
        assert "山﨑　次郎" in client.get(f"/admin/card/?search={term}").get_data(as_text=True)


def test_filters_on_joined_fields_have_japanese_names(client, auth, database):
    """Are the reservation list's filters on the slot's date and the location named in Japanese?"""
    gen_user("clerk", login="suzuki")
    auth.login("suzuki")
    page = client.get("/admin/reservation/").get_data(as_text=True)
    names = re.findall(r'<a[^>]*class="[^"]*filter[^"]*"[^>]*>([^<]*)</a>', page)
    assert "日付" in names and "場所名" in names
    assert not [name for name in names if "/" in name]
