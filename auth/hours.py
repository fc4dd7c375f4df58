"""The staff site's hours, enforced on every /admin request but its static assets (DESIGN.md §4)."""

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

import audit
from rules import settings
from rules.clock import now
from rules.staff_hours import StaffHours, is_exempt

SIGNED_OUT = "職員用サイトの利用時間外のため、ログアウトしました。"


def closed_reason():
    """Why the staff site is closed now, or None while it is open."""
    return StaffHours.from_settings(settings.get).closed_reason(now())


def enforce_staff_hours():
    """Sign out a signed-in non-administrator once the staff site is closed."""
    if not request.path.startswith("/admin") or request.endpoint == "admin.static":
        return None
    if not current_user.is_authenticated or is_exempt(current_user.role):
        return None
    reason = closed_reason()
    if reason is None:
        return None
    audit.record("staff_hours_signout", model="User", object_id=current_user.id, detail=reason)
    logout_user()
    session.clear()
    flash(SIGNED_OUT, "error")
    return redirect(url_for("auth.login"))
