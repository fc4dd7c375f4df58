from peewee import OperationalError

from database import end_of_request


def test_connection_kept_between_requests_but_not_after_a_database_error(client, database):
    """Does a request leave its thread's connection open for the next one, unless the request hit a database error?"""
    client.get("/healthz")
    assert not database.is_closed()
    end_of_request(database, ValueError("not a database problem"))
    assert not database.is_closed()
    end_of_request(database, OperationalError("server closed the connection unexpectedly"))
    assert database.is_closed()
