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
