"""kofu: the application factory and the command line (``python app.py <command>``)."""

import secrets

from flask import Flask, g, jsonify, redirect, render_template, request
from flask.cli import FlaskGroup
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_config
from database import end_of_request, make_database
from extensions import babel, csrf, limiter
from models import db
from rules import settings


def create_app(overrides=None):
    app = Flask(__name__)
    app.config.update(load_config(overrides))
    if app.config["PROXY_COUNT"]:
        # Behind N trusted reverse proxies, the client's own address (rate limits, audit log)
        # and scheme come from the X-Forwarded-* headers they add.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    db.initialize(make_database(app.config["DATABASE_URL"]))
    babel.init_app(app, locale_selector=lambda: "ja", timezone_selector=lambda: "Asia/Tokyo")
    csrf.init_app(app)
    limiter.init_app(app)
    register_request_hooks(app)
    register_error_pages(app)
    register_sites(app)
    register_commands(app)
    app.add_url_rule("/healthz", "healthz", health_check)
    return app


def health_check():
    """For load balancers and monitoring: the process answers and reaches its database."""
    db.execute_sql("SELECT 1")
    return {"status": "ok"}


def register_sites(app):
    site = app.config["SITE"]
    if site in ("staff", "all"):
        from admin_views import register_admin
        from auth import register_auth

        register_auth(app)
        register_admin(app)
    if site in ("public", "all"):
        from public_site import api, public

        app.register_blueprint(public)
        app.register_blueprint(api)
    elif site == "staff":
        app.add_url_rule("/", "root", lambda: redirect("/admin/"))


def register_request_hooks(app):
    @app.before_request
    def open_database():
        g.csp_nonce = secrets.token_urlsafe(16)
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def release_database(error):
        end_of_request(db, error)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Content-Security-Policy", content_security_policy())
        if app.config["ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith("/admin"):
            headers.setdefault("Cache-Control", "no-store")
            _declare_japanese(response)
        return response

    @app.context_processor
    def template_globals():
        return {"csp_nonce": g.get("csp_nonce", ""), "municipality_name": settings.get("municipality_name")}


def _declare_japanese(response):
    """Flask-Admin's base template writes ``<html>`` without a language, and a screen reader then
    reads the Japanese staff pages with an English voice."""
    if response.mimetype == "text/html" and not response.is_streamed:
        response.set_data(response.get_data().replace(b"<html>", b'<html lang="ja">', 1))


def content_security_policy():
    """Strict on the public site; Flask-Admin's templates need inline event handlers. A page may
    name other addresses its scripts call in ``g.connect_sources`` (the counter's card agent)."""
    if request.path.startswith("/admin"):
        scripts = "'self' 'unsafe-inline'"
    else:
        scripts = f"'self' 'nonce-{g.get('csp_nonce', '')}'"
    connect = " ".join(("'self'", *g.get("connect_sources", ())))
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src {connect}; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    )


ERRORS = {
    400: ("bad_request", "送信内容を受け付けられませんでした。"),
    403: ("forbidden", "この操作を行う権限がありません。"),
    404: ("not_found", "ページが見つかりません。"),
    405: ("method_not_allowed", "この方法ではアクセスできません。"),
    413: ("too_large", "送信されたデータが大きすぎます。"),
    429: ("rate_limited", "短時間にアクセスが集中しています。しばらく待ってからもう一度お試しください。"),
    500: ("server_error", "システムエラーが発生しました。時間をおいてもう一度お試しください。"),
}


def register_error_pages(app):
    def render_error(error):
        status = getattr(error, "code", 500) or 500
        code, message = ERRORS.get(status, ERRORS[500])
        if request.path.startswith("/api/"):
            return jsonify(error={"code": code, "field": None, "message": message}), status
        return render_template("error.html", code=status, message=message), status

    for status in ERRORS:
        app.register_error_handler(status, render_error)

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        message = "フォームの有効期限が切れたか、正しくない送信です。画面を読み込み直して、もう一度操作してください。"
        return render_template("error.html", code=400, message=message), 400


def register_commands(app):
    from cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)


cli = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False)

if __name__ == "__main__":
    cli()
