"""Configuration: safe defaults, then KOFU_* environment variables, then overrides."""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
SITES = ("public", "staff", "all")

ENVIRONMENT_KEYS = {
    "KOFU_DATABASE_URL": "DATABASE_URL",
    "KOFU_SECRET_KEY": "SECRET_KEY",
    "KOFU_SITE": "SITE",
    "KOFU_DOCUMENT_STORE": "DOCUMENT_STORE",
    "KOFU_SMTP_URL": "SMTP_URL",
    "KOFU_MAIL_FROM": "MAIL_FROM",
    "KOFU_RATELIMIT_STORAGE": "RATELIMIT_STORAGE_URI",
    "KOFU_ENV": "ENV",
    "KOFU_DATA_DIR": "DATA_DIR",
    "KOFU_PROXY_COUNT": "PROXY_COUNT",
    "KOFU_API_ALLOWED_ORIGINS": "API_ALLOWED_ORIGINS",
    "KOFU_BACKUP_DIR": "BACKUP_DIR",
    "KOFU_CARD_READER": "CARD_READER",
}


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def default_config(data_dir):
    return {
        "ENV": "development",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir}/kofu.sqlite3",
        "SITE": "all",
        "PROXY_COUNT": 0,
        "API_ALLOWED_ORIGINS": "",
        "DOCUMENT_STORE": str(Path(data_dir) / "documents"),
        "BACKUP_DIR": str(Path(data_dir) / "backups"),
        "CARD_READER": "",
        "SMTP_URL": f"file://{data_dir}/outbox",
        "MAIL_FROM": "noreply@localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_BOOKING": "20 per minute",
        "RATELIMIT_LOOKUP": "10 per minute",
        "SECRET_KEY": None,
        "TIMEZONE": "Asia/Tokyo",
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The cookie is sent only when the session changes: otherwise every response, a page's
        # scripts and styles included, carries it, and one that finishes late puts back an older one.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_I18N_ENABLED": False,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "FLASK_ADMIN_SWATCH": "default",
    }


def load_config(overrides=None):
    """Build the configuration dict in three layers; the last one wins."""
    overrides = dict(overrides or {})
    data_dir = overrides.get("DATA_DIR") or os.environ.get("KOFU_DATA_DIR") or PROJECT_ROOT / "data"
    config = default_config(data_dir)
    for env_name, key in ENVIRONMENT_KEYS.items():
        if os.environ.get(env_name):
            config[key] = os.environ[env_name]
    config.update(overrides)
    if config["SITE"] not in SITES:
        raise ConfigError(f"KOFU_SITE は {', '.join(SITES)} のいずれかを指定してください: {config['SITE']!r}")
    config["PROXY_COUNT"] = int(config["PROXY_COUNT"])
    config["API_ALLOWED_ORIGINS"] = _origins(config["API_ALLOWED_ORIGINS"])
    config["SESSION_COOKIE_SECURE"] = config["ENV"] == "production"
    config["SECRET_KEY"] = config["SECRET_KEY"] or development_secret_key(config)
    return config


def _origins(value):
    """Comma-separated text (from the environment) or a list, as a tuple of origins."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip().rstrip("/") for item in items if item.strip())


def development_secret_key(config):
    """Outside production, generate a key once and keep it in the data folder."""
    if config["ENV"] == "production":
        raise ConfigError("本番モードでは KOFU_SECRET_KEY を設定してください。")
    key_file = Path(config["DATA_DIR"]) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
