"""カード管理: the card ledger, its stage history and storage locations."""

from peewee import JOIN

from admin_views.base import StaffModelView
from admin_views.reservations import PERSON_FORM_EXCLUDED
from models import Card, StorageLocation


class CardView(StaffModelView):
    allow_delete = False  # a card leaves the ledger only through 廃棄, which keeps its history
    column_list = (
        "notice_number",
        "application_form_id",
        "name",
        "kana",
        "birth_date",
        "visit_type",
        "issue_kind",
        "stage",
        "delivered_on",
        "storage",
        "issue_deadline",
    )
    column_searchable_list = ("notice_number", "application_form_id", "name", "kana", "kana_key")
    column_filters = ("stage", "visit_type", "issue_kind", "express", "delivered_on", "issue_deadline", "batch")
    column_default_sort = ("delivered_on", True)
    # The stage changes only through the ledger's transitions, which keep the history.
    form_excluded_columns = (*PERSON_FORM_EXCLUDED, "stage", "events", "fees", "reservations", "issued_at")

    def get_query(self):
        return Card.select(Card, StorageLocation).join(StorageLocation, JOIN.LEFT_OUTER).switch(Card)


class CardEventView(StaffModelView):
    allow_create = allow_edit = allow_delete = False
    column_list = ("at", "card", "from_stage", "to_stage", "user", "note")
    column_filters = ("to_stage", "at")
    column_default_sort = ("at", True)


class StorageLocationView(StaffModelView):
    write_role = "supervisor"
    column_list = ("code", "location", "cabinet", "shelf", "box", "capacity", "active")
    column_searchable_list = ("code", "cabinet", "shelf", "box")
    form_excluded_columns = ("created_at", "updated_at", "cards")
