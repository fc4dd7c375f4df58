"""パスワード変更: every signed-in staff member changes their own password here."""

from flask import flash, redirect, url_for
from flask_admin import expose
from flask_login import current_user, login_user

import audit
from admin_views.base import StaffPage
from auth.forms import PasswordChangeForm
from models import User, db
from rules.clock import now
from rules.passwords import hash_password


class PasswordView(StaffPage):
    def is_visible(self):
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self):
        user = current_user._get_current_object()
        form = PasswordChangeForm(user)
        if form.validate_on_submit():
            with db.atomic():
                User.update(password_hash=hash_password(form.new_password.data), password_changed_at=now()).where(
                    User.id == user.id
                ).execute()
                audit.record("password_change", model="User", object_id=user.id)
            # Sessions elsewhere end with the old password; this one signs in again with the new.
            login_user(User.get_by_id(user.id))
            flash("パスワードを変更しました。", "success")
            return redirect(url_for("admin.index"))
        return self.render("admin/password.html", form=form)
