import pytest

from tests.factories import gen_user


@pytest.fixture
def supervisor(auth, database):
    """Signed in as a supervisor (責任者)."""
    gen_user("supervisor", login="sekinin")
    auth.login("sekinin")
    return auth
