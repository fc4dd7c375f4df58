import pytest

from app import create_app
from config import ConfigError, load_config


def test_defaults_need_no_server(monkeypatch, tmp_path):
    """Without any environment, is the configuration an embedded one that needs no server?"""
    for name in ("KOFU_DATABASE_URL", "KOFU_SITE", "KOFU_SMTP_URL", "KOFU_RATELIMIT_STORAGE", "KOFU_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    config = load_config({"DATA_DIR": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path}/kofu.sqlite3"
    assert config["SITE"] == "all" and config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["SMTP_URL"].startswith("file://") and config["DOCUMENT_STORE"].endswith("documents")


def test_environment_then_overrides(monkeypatch, tmp_path):
    """Does the environment beat the defaults, and do overrides beat the environment?"""
    monkeypatch.setenv("KOFU_SITE", "public")
    monkeypatch.setenv("KOFU_DOCUMENT_STORE", "s3://bucket/kofu")
    config = load_config({"DATA_DIR": str(tmp_path), "DOCUMENT_STORE": "/srv/documents"})
    assert config["SITE"] == "public" and config["DOCUMENT_STORE"] == "/srv/documents"


def test_development_secret_key_is_generated_once(tmp_path, monkeypatch):
    """Is a development secret key generated, kept in data/ and reused?"""
    monkeypatch.delenv("KOFU_SECRET_KEY", raising=False)
    first = load_config({"DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    second = load_config({"DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    assert len(first) == 64 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    """Does production mode refuse to start without KOFU_SECRET_KEY?"""
    monkeypatch.delenv("KOFU_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="KOFU_SECRET_KEY"):
        load_config({"DATA_DIR": str(tmp_path), "ENV": "production"})


def test_unknown_site_is_refused(tmp_path):
    """Is a mistyped KOFU_SITE refused with the allowed values?"""
    with pytest.raises(ConfigError, match="public, staff, all"):
        load_config({"DATA_DIR": str(tmp_path), "SITE": "both"})


@pytest.mark.parametrize(("site", "public_status", "staff_status"), [("public", 200, 404), ("staff", 302, 200)])
def test_site_split(app_config, site, public_status, staff_status):
    """Does KOFU_SITE decide which of the two sites a process serves?"""
    client = create_app({**app_config, "SITE": site}).test_client()
    assert client.get("/").status_code == public_status
    assert client.get("/admin/login").status_code == staff_status


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, database):
    """Is the embedded database in WAL mode with foreign keys enforced?"""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite only")
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_security_headers(client):
    """Do pages carry strict security headers, and staff pages no-store?"""
    public = client.get("/")
    assert public.headers["X-Frame-Options"] == "DENY"
    assert "nonce-" in public.headers["Content-Security-Policy"]
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store"


def test_client_address_through_a_trusted_proxy(app_config, database):
    """Behind KOFU_PROXY_COUNT proxies, does the audit log get the resident's address, and without it the peer's?"""
    from models import AuditLog
    from tests.conftest import AuthActions

    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    for proxies in (1, 0):
        auth = AuthActions(create_app({**app_config, "PROXY_COUNT": proxies}).test_client())
        token = auth.fetch_token()
        auth.client.post(
            "/admin/login", data={"login": "nobody", "password": "x", "csrf_token": token}, headers=forwarded
        )
    assert [row.ip for row in AuditLog.select().order_by(AuditLog.id)] == ["203.0.113.9", "127.0.0.1"]
