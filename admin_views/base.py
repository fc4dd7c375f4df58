"""The base every staff view shares: sign-in, a role check on the server for every exposed
view, action and export, and an audit row for every write and export."""

import csv
import datetime
import io

from flask import Response, abort, flash, has_request_context, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.filters import FilterEqual
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.form.fields import DateTimeField as AdminDateTimeField
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from peewee import AutoField, DateTimeField, IntegrityError

import audit
from base_form import KofuForm
from models import ROLES, db
from rules.cp932_csv import Cp932Error, cp932_csv
from rules.kana import is_kana_name, kana_key
from rules.roles import role_at_least

ROLE_LABELS = dict(ROLES)
READ_VIEWS = frozenset({"index", "index_view", "details_view", "ajax_lookup"})
WRITE_VIEWS = frozenset({"create_view", "edit_view", "delete_view", "ajax_update"})


def parse_day(text):
    """The date of a form's YYYY-MM-DD text; ValueError in Japanese otherwise."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError("日付は YYYY-MM-DD の形で指定してください。") from None


def parse_period(start_text, end_text):
    return parse_day(start_text), parse_day(end_text)


def csv_text(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def csv_download(text, filename):
    """CSV text as a UTF-8 download with a BOM, so that Excel opens it as UTF-8."""
    return Response(
        "\ufeff" + text, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"}
    )


def current_role_at_least(role):
    return has_request_context() and current_user.is_authenticated and role_at_least(current_user.role, role)


class StaffModelConverter(CustomModelConverter):
    """Two fixes over Flask-Admin's peewee converter: inline rows keep their implicit id
    (pallets-eco/flask-admin#1718), and date-times use Flask-Admin's own field, which
    WTForms 3.3 does not flag as deprecated."""

    def __init__(self, view, additional=None):
        super().__init__(view, additional)
        self.converters[AutoField] = self.handle_pk
        self.converters[DateTimeField] = self.handle_datetime

    def handle_datetime(self, model, field, **kwargs):
        return field.name, AdminDateTimeField(**kwargs)


class RoleGuard:
    """Mixin for Flask-Admin views: ``role_for(name)`` names the minimum role of each view."""

    def role_for(self, name):
        raise NotImplementedError

    def is_accessible(self):
        return current_role_at_least(self.role_for("index"))

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        needed = self.role_for(name)
        if not role_at_least(current_user.role, needed):
            audit.record(
                "forbidden",
                model=getattr(getattr(self, "model", None), "__name__", self.endpoint),
                detail=f"{request.method} {self.endpoint}.{name}: 「{ROLE_LABELS[needed]}」以上の権限が必要",
            )
            abort(403)
        return None


class StaffIndexView(RoleGuard, AdminIndexView):
    def role_for(self, name):
        return "viewer"


class StaffPage(RoleGuard, BaseView):
    """A custom staff screen. ``min_role`` guards every exposed view unless ``view_roles`` says otherwise."""

    min_role = "viewer"
    view_roles = {}

    def role_for(self, name):
        return self.view_roles.get(name, self.min_role)


class StaffModelView(RoleGuard, ModelView):
    """A declared model view. Subclasses set attributes only.

    Roles: ``read_role`` lists and details, ``write_role`` creates, edits, deletes and runs
    actions (``action_roles`` may differ per action), ``export_role`` downloads CSV/XLSX.
    ``allow_*`` say what the view offers at all, whatever the role.
    """

    read_role = "viewer"
    write_role = "clerk"
    export_role = "clerk"
    view_roles = {}
    action_roles = {}
    allow_create = allow_edit = allow_delete = allow_export = True

    form_base_class = KofuForm
    model_form_converter = StaffModelConverter
    can_view_details = True
    can_set_page_size = True
    page_size = 50
    export_types = ["csv", "cp932", "xlsx"]
    export_max_rows = 100000

    def __init__(self, model, *args, **kwargs):
        fields = model._meta.fields
        self.column_labels = {
            **{name: field.verbose_name for name, field in fields.items() if field.verbose_name},
            **(self.column_labels or {}),
        }
        self.column_choices = {
            **{name: list(field.choices) for name, field in fields.items() if field.choices},
            **(self.column_choices or {}),
        }
        self.column_filters = [self._filter_for(model, item) for item in self.column_filters or ()]
        super().__init__(model, *args, **kwargs)

    def _filter_for(self, model, item):
        """A filter on a column with choices becomes a drop-down of its Japanese labels."""
        field = model._meta.fields.get(item) if isinstance(item, str) else None
        if field is None or item not in self.column_choices:
            return item
        return FilterEqual(field, self.column_labels.get(item, item), options=self.column_choices[item])

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        return super().get_list(page, sort_column, sort_desc, _kana_terms(search), filters, execute, page_size)

    def search_placeholder(self):
        labels = [self.column_labels.get(name, name) for name in self.column_searchable_list or ()]
        return "検索: " + "・".join(dict.fromkeys(labels)) if labels else None

    def scaffold_filters(self, name):
        """Filters on a joined model's field are named by its Japanese label, not "Model / column"."""
        filters = super().scaffold_filters(name)
        if not isinstance(name, str) and filters and name.verbose_name:
            for column_filter in filters:
                column_filter.name = name.verbose_name
        return filters

    def role_for(self, name):
        if name in self.view_roles:
            return self.view_roles[name]
        if name in READ_VIEWS:
            return self.read_role
        if name == "export":
            return self.export_role
        if name == "action_view":
            return self.action_roles.get(request.form.get("action"), self.write_role)
        return self.write_role

    @property
    def can_create(self):
        return self.allow_create and current_role_at_least(self.write_role)

    @property
    def can_edit(self):
        return self.allow_edit and current_role_at_least(self.write_role)

    @property
    def can_delete(self):
        return self.allow_delete and current_role_at_least(self.write_role)

    @property
    def can_export(self):
        return self.allow_export and current_role_at_least(self.export_role)

    def is_action_allowed(self, name):
        if name == "delete" and not self.can_delete:
            return False
        return current_role_at_least(self.action_roles.get(name, self.write_role)) and super().is_action_allowed(name)

    def create_model(self, form):
        with db.atomic() as transaction:
            model = super().create_model(form)
            if not model:
                transaction.rollback()
                return model
            snapshot = audit.snapshot(model)
            audit.record(
                "create",
                model=self.model.__name__,
                object_id=model.id,
                changes={field: [None, value] for field, value in snapshot.items() if value not in (None, "")},
            )
        return model

    def update_model(self, form, model):
        before = audit.snapshot(model)
        with db.atomic() as transaction:
            updated = super().update_model(form, model)
            if not updated:
                transaction.rollback()
                return updated
            changes = audit.changed_fields(before, audit.snapshot(model))
            if changes:
                audit.record("update", model=self.model.__name__, object_id=model.id, changes=changes)
        return updated

    def delete_model(self, model):
        try:
            with db.atomic():
                self._delete_audited(model)
        except IntegrityError:
            flash("他のデータから参照されているため削除できません。", "error")
            return False
        self.after_model_delete(model)
        return True

    @action("delete", "削除", "選択したデータを削除します。よろしいですか?")
    def action_delete(self, ids):
        rows = list(self.model.select().where(self.model._meta.primary_key.in_(ids)))
        try:
            with db.atomic():
                for row in rows:
                    self._delete_audited(row)
        except IntegrityError:
            flash("他のデータから参照されているものが含まれるため、どれも削除しませんでした。", "error")
            return
        flash(f"{len(rows)}件を削除しました。", "success")

    def _delete_audited(self, model):
        before = audit.snapshot(model)
        self.on_model_delete(model)
        model.delete_instance()
        audit.record(
            "delete",
            model=self.model.__name__,
            object_id=model.id,
            changes={field: [value, None] for field, value in before.items() if value not in (None, "")},
        )

    @expose("/export/<export_type>/")
    def export(self, export_type):
        audit.record(
            "export", model=self.model.__name__, detail=f"形式: {export_type} 条件: {request.query_string.decode()}"
        )
        if export_type == "cp932" and self.can_export:
            return self._export_cp932()
        response = super().export(export_type)
        if export_type == "csv" and response.status_code == 200:
            response.response = _with_byte_order_mark(response.response)
        return response

    def _export_cp932(self):
        """The list as CP932 CSV, or back to the list with every cell CP932 cannot hold."""
        _count, rows = self._export_data()
        header = [label for _name, label in self._export_columns]
        values = [[self.get_export_value(row, name) for name, _label in self._export_columns] for row in rows]
        try:
            body = cp932_csv(header, values)
        except Cp932Error as error:
            shown = error.problems[:10]
            more = f" ほか{len(error.problems) - len(shown)}件" if len(error.problems) > len(shown) else ""
            flash(
                "CP932で書けない文字があるため、出力しませんでした(UTF-8のCSVかExcel形式なら出力できます): "
                + " ".join(problem.message for problem in shown)
                + more,
                "error",
            )
            return redirect(get_redirect_target() or self.get_url(".index_view"))
        disposition = f"attachment; filename={self.get_export_name('csv')}"
        return Response(body, mimetype="text/csv; charset=Shift_JIS", headers={"Content-Disposition": disposition})


def _kana_terms(search):
    """Kana typed in any width or script matches the stored katakana (``kana_key`` columns)."""
    if not search:
        return search
    return " ".join(kana_key(term) if is_kana_name(term) else term for term in search.split(" "))


def _with_byte_order_mark(chunks):
    """Excel on a city-hall PC reads UTF-8 CSV correctly only with a BOM."""
    yield "\ufeff"
    yield from chunks
