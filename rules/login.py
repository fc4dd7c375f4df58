"""Staff sign-in with lockout: N consecutive failures lock an account (DESIGN.md §4).

The outcome lists audit actions for the caller to record; the rule itself stays plain.
"""

import datetime
from dataclasses import dataclass, field

from models import User
from rules import settings
from rules.passwords import spend_verification_time, verify_password
from rules.staff_hours import is_exempt


@dataclass
class LoginOutcome:
    user: User | None
    succeeded: bool
    events: list = field(default_factory=list)
    outside_hours: bool = False


def attempt_login(login_id, password, at, staff_site_closed=False):
    """``staff_site_closed``: the staff site is outside its hours at ``at``, so only an
    administrator gets in; the others are refused after the password check, which neither
    counts as a failure nor resets the count."""
    user = User.get_or_none(User.login == login_id)
    if user is None or not user.active:
        spend_verification_time(password)
        return LoginOutcome(user, False, ["login_failed"])
    events = []
    if user.locked_at and _auto_unlock_due(user, at):
        unlock(user)
        events.append("unlock")
    if user.locked_at:
        spend_verification_time(password)
        return LoginOutcome(user, False, ["login_refused_locked"])
    if not verify_password(user.password_hash, password):
        return LoginOutcome(user, False, events + _register_failure(user, at))
    if staff_site_closed and not is_exempt(user.role):
        return LoginOutcome(user, False, events + ["login_refused_hours"], outside_hours=True)
    User.update(failed_logins=0, last_login_at=at).where(User.id == user.id).execute()
    return LoginOutcome(User.get_by_id(user.id), True, events + ["login"])


def unlock(user):
    User.update(failed_logins=0, locked_at=None).where(User.id == user.id).execute()
    user.failed_logins, user.locked_at = 0, None


def _register_failure(user, at):
    """Count the failure atomically, so parallel attempts cannot slip past the threshold."""
    User.update(failed_logins=User.failed_logins + 1).where(User.id == user.id).execute()
    failures = User.select(User.failed_logins).where(User.id == user.id).scalar()
    if failures >= settings.get("lockout_threshold"):
        User.update(locked_at=at).where(User.id == user.id, User.locked_at.is_null()).execute()
        return ["login_failed", "lockout"]
    return ["login_failed"]


def _auto_unlock_due(user, at):
    minutes = settings.get("lockout_auto_unlock_minutes")
    return minutes > 0 and at - user.locked_at >= datetime.timedelta(minutes=minutes)
