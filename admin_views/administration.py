"""管理: staff accounts, settings, announcements, locations and the audit log."""

from flask import flash
from flask_admin.actions import action
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import ValidationError

import audit
from admin_views.base import StaffModelView
from models import User, db
from rules import settings
from rules.clock import now
from rules.login import unlock
from rules.passwords import hash_password, policy_problems
from rules.recent import forget


class UserView(StaffModelView):
    read_role = write_role = export_role = "admin"
    allow_delete = False  # audit rows point at users: deactivate instead
    column_list = ("login", "name", "role", "active", "locked_at", "failed_logins", "last_login_at")
    column_searchable_list = ("login", "name")
    column_filters = ("role", "active")
    column_details_exclude_list = ("password_hash",)
    column_export_exclude_list = ("password_hash",)
    form_columns = ("login", "name", "role", "active", "new_password")
    form_extra_fields = {"new_password": PasswordField("新しいパスワード(変更するときだけ入力)")}

    def on_model_change(self, form, model, is_created):
        password = form.new_password.data
        if is_created and not password:
            raise ValidationError("新しい職員にはパスワードを設定してください。")
        if password:
            problems = policy_problems(password, model.login, settings.get("password_min_length"))
            if problems:
                raise ValidationError(" ".join(problems))
            model.password_hash = hash_password(password)
            model.password_changed_at = now()

    @action("unlock", "ロック解除", "選択した職員のロックを解除します。よろしいですか?")
    def action_unlock(self, ids):
        locked = list(User.select().where(User.id.in_(ids), User.locked_at.is_null(False)))
        with db.atomic():
            for user in locked:
                unlock(user)
                audit.record("unlock", model="User", object_id=user.id, detail=f"{user.login} のロックを解除")
        flash(f"{len(locked)}名のロックを解除しました。", "success")


class SettingView(StaffModelView):
    read_role = write_role = export_role = "admin"
    allow_create = allow_delete = False
    column_list = ("key", "label", "value", "default")
    column_labels = {"label": "説明", "default": "既定値"}
    column_formatters = {
        "label": lambda _v, _c, model, _n: _spec_attribute(model, "label"),
        "default": lambda _v, _c, model, _n: _spec_attribute(model, "default_text"),
    }
    column_searchable_list = ("key",)
    form_columns = ("value",)
    # Not the model's required field: an empty value is valid for some settings (no time limit).
    form_extra_fields = {"value": StringField("値")}

    def on_model_change(self, form, model, is_created):
        spec = settings.CATALOG.get(model.key)
        if spec is None:
            raise ValidationError("この設定項目はこの版では使われていません。")
        try:
            spec.parse(model.value)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        model.value = model.value.strip()

    def after_model_change(self, form, model, is_created):
        settings.clear_cache()


def _spec_attribute(model, name):
    spec = settings.CATALOG.get(model.key)
    return getattr(spec, name) if spec else "(使われていない項目)"


class AnnouncementView(StaffModelView):
    write_role = export_role = "admin"
    column_list = ("title", "audience", "priority", "maintenance", "starts_at", "ends_at")
    column_filters = ("audience", "priority", "maintenance", "starts_at")
    column_searchable_list = ("title", "body")
    column_default_sort = ("starts_at", True)
    form_excluded_columns = ("created_at", "updated_at", "created_by")

    def after_model_change(self, form, model, is_created):
        forget("public_announcements")

    def after_model_delete(self, model):
        forget("public_announcements")

    def on_model_change(self, form, model, is_created):
        if model.ends_at and model.ends_at <= model.starts_at:
            raise ValidationError("掲載終了は掲載開始より後の日時にしてください。")
        if is_created:
            model.created_by = current_user.id


class LocationView(StaffModelView):
    write_role = "admin"
    column_list = ("code", "name", "kind", "address", "phone", "active", "sort_order")
    column_searchable_list = ("code", "name")
    form_excluded_columns = (
        "created_at",
        "updated_at",
        "slot_rules",
        "closed_dates",
        "slots",
        "storage_locations",
        "applications",
        "cards",
    )

    def after_model_change(self, form, model, is_created):
        forget("public_locations")

    def after_model_delete(self, model):
        forget("public_locations")


class ReceiptCounterView(StaffModelView):
    read_role = export_role = "admin"
    allow_create = allow_edit = allow_delete = False


class AuditLogView(StaffModelView):
    read_role = export_role = "admin"
    allow_create = allow_edit = allow_delete = False
    column_list = ("at", "login", "action", "model", "object_id", "ip", "detail", "changes")
    column_filters = ("login", "action", "model", "at", "ip")
    column_searchable_list = ("login", "detail", "changes", "object_id")
    column_choices = {"action": list(audit.ACTION_LABELS.items())}
    column_default_sort = ("at", True)
    page_size = 100
