"""Fixtures: every test gets a fresh database, once on SQLite and once on PostgreSQL
when KOFU_TEST_POSTGRES_URL is set (each run in a schema of its own, dropped at the end)."""

import os
import re
import shutil
import uuid

import psycopg2
import pytest
from _pytest.nodeid import NodeId

from app import create_app
from cli import upgrade_schema
from database import make_database
from models import ALL_MODELS, db
from rules import settings
from rules.staff_hours import open_around_the_clock
from tests.devices.virtual_card import PCSCD_GROUP
from tests.factories import PASSWORD
from tests.pcsc import card_slot, pcsc_reader  # noqa: F401 (fixtures for every test folder)

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("KOFU_TEST_POSTGRES_URL") else [])


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep each xdist group on one worker. A test that uses pcscd joins the group "pcscd"."""
    for item in items:
        if "pcsc_reader" in getattr(item, "fixturenames", ()) and item.get_closest_marker("xdist_group") is None:
            item.add_marker(PCSCD_GROUP)
        group = item.get_closest_marker("xdist_group")
        if group and config.getoption("loadgroup", default=False) and "@" not in item.nodeid:
            _join_group(item, group.args[0])


def _join_group(item, group):
    # --dist loadgroup sends the tests whose node id ends in "@<group>" to one worker. pytest-xdist 3.8
    # appends the suffix to item._nodeid, which pytest 9 no longer reads (the id lives in item._id):
    # without this every group would be silently ignored and two workers would share pcscd or Redis.
    suffixed = f"{item.nodeid}@{group}"
    if hasattr(item, "_id"):
        item._id = NodeId.parse(suffixed)
    else:
        item._nodeid = suffixed


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    """A migrated, empty database for the whole session, as a URL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        url = f"sqlite:///{path}"
        _migrate(url)
        yield url
        return
    server_url = os.environ["KOFU_TEST_POSTGRES_URL"]
    schema = f"kofu_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _postgres_execute(server_url, f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in server_url else "?"
    url = f"{server_url}{separator}options=-csearch_path%3D{schema}"
    _migrate(url)
    yield url
    _postgres_execute(server_url, f"DROP SCHEMA {schema} CASCADE")


def _postgres_execute(url, statement):
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def _migrate(url):
    db.initialize(make_database(url))
    with db.connection_context():
        upgrade_schema()
    _close_database()


def _close_database():
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()
    else:
        db.close()


@pytest.fixture
def app_config(database_url, tmp_path):
    """The overrides every test app starts from; a test may add to them before ``app`` is built."""
    if database_url.startswith("sqlite"):
        template = database_url[len("sqlite:///") :]
        shutil.copy(template, tmp_path / "kofu.sqlite3")
        url = f"sqlite:///{tmp_path / 'kofu.sqlite3'}"
    else:
        url = database_url
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "test-secret",
        "SITE": "all",
    }


@pytest.fixture
def app(app_config):
    application = create_app(app_config)
    if not app_config["DATABASE_URL"].startswith("sqlite"):
        _truncate_all()
    with db.connection_context():
        upgrade_schema()
        # The staff site's hours would fail tests run at night or over the New Year;
        # tests/auth/test_staff_hours.py sets them itself.
        open_around_the_clock(settings.put)
    yield application
    _close_database()


def _truncate_all():
    tables = ", ".join(f'"{model._meta.table_name}"' for model in ALL_MODELS)
    with db.connection_context():
        db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def database(app):
    """The bound database, for tests that read or write models directly (peewee connects on use)."""
    return db


class AuthActions:
    """Sign in and out through the real login form, keeping the CSRF token for later posts."""

    def __init__(self, client):
        self.client = client
        self.csrf_token = None

    def fetch_token(self, url="/admin/login"):
        page = self.client.get(url).get_data(as_text=True)
        self.csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return self.csrf_token

    def login(self, login, password=PASSWORD):
        token = self.fetch_token()
        return self.client.post("/admin/login", data={"login": login, "password": password, "csrf_token": token})

    def logout(self):
        return self.client.post("/admin/logout", data={"csrf_token": self.csrf_token})

    def post(self, url, data=None, **kwargs):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf_token}, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)
