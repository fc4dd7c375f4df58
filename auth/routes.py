import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

import audit
from auth.forms import LoginForm
from auth.hours import closed_reason
from extensions import limiter
from rules import settings
from rules.clock import now
from rules.login import attempt_login

auth = Blueprint("auth", __name__, url_prefix="/admin", template_folder="templates")

LOGIN_FAILED = "ログインIDまたはパスワードが正しくありません。"
SEEN_STEP_SECONDS = 20
LOGIN_OUTSIDE_HOURS = "職員用サイトの利用時間外のため、管理者以外はログインできません。"


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    closed_notice = closed_reason()
    failed, failed_message = False, LOGIN_FAILED
    if form.validate_on_submit():
        typed_login = form.login.data.strip()
        outcome = attempt_login(typed_login, form.password.data, now(), staff_site_closed=closed_notice is not None)
        user_id = outcome.user.id if outcome.user else ""
        for event in outcome.events:
            audit.record(event, model="User", object_id=user_id, user=outcome.user, login=typed_login)
        if outcome.succeeded:
            login_user(outcome.user)
            session.permanent = True
            session["seen"] = time.time()
            return redirect(_safe_next(request.args.get("next")))
        failed = True
        if outcome.outside_hours:
            failed_message = LOGIN_OUTSIDE_HOURS
    return render_template(
        "auth/login.html", form=form, failed=failed, failed_message=failed_message, closed_notice=closed_notice
    )


@auth.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        audit.record("logout", model="User", object_id=current_user.id)
        logout_user()
    session.clear()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@auth.before_app_request
def enforce_idle_timeout():
    """Sign out a staff session that has been idle longer than the setting allows.

    Static files do not count as use, and the time seen is rewritten at most every SEEN_STEP_SECONDS:
    each rewrite sends a new session cookie, and a page's asset responses finishing after a form's
    response used to put back the older cookie and lose what the form stored (its flash message)."""
    if not request.path.startswith("/admin") or _is_static(request.endpoint) or not current_user.is_authenticated:
        return None
    idle_seconds = settings.get("session_idle_minutes") * 60
    seen = session.get("seen", 0)
    if time.time() - seen > idle_seconds:
        audit.record("session_timeout", model="User", object_id=current_user.id)
        logout_user()
        session.clear()
        flash("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。", "info")
        return redirect(url_for("auth.login"))
    if time.time() - seen >= SEEN_STEP_SECONDS:
        session["seen"] = time.time()
    return None


def _is_static(endpoint):
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _safe_next(target):
    if target and target.startswith("/admin") and not target.startswith("//"):
        return target
    return url_for("admin.index")
