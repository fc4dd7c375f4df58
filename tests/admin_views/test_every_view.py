import pytest

from models import ROLES
from rules.roles import role_at_least
from tests.factories import gen_card, gen_location, gen_reservation, gen_slot, gen_user


@pytest.mark.parametrize("role", [role for role, _ in ROLES])
def test_every_staff_view_answers_each_role_as_declared(app, client, auth, database, role):
    """Does every menu view open (200) for the roles it allows and refuse (403) the others, never failing?"""
    location = gen_location()
    gen_reservation(slot=gen_slot(location=location))
    gen_card(location=location)
    gen_user(role, login="someone")
    auth.login("someone")
    admin = app.extensions["admin"][0]
    with app.test_request_context():
        menu_views = [view for view in admin._views if view.is_visible()]
    for view in menu_views:
        allowed = role_at_least(role, view.role_for("index"))
        response = client.get(view.url + "/", follow_redirects=True)
        assert response.status_code == (200 if allowed else 403), (role, view.url)
