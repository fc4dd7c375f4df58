"""Staff roles, from most to least powerful. A role may do everything the ones below it do."""

RANKS = {"viewer": 1, "clerk": 2, "supervisor": 3, "admin": 4}


def role_at_least(role, minimum):
    """True when ``role`` is ``minimum`` or above; unknown roles have no rights."""
    return RANKS.get(role, 0) >= RANKS[minimum]
