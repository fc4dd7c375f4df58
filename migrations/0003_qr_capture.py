# Generated from a schema diff on 2026-12-03 17:29.
from peewee import *

# The QR読取登録 screen's sessions and scans. Timestamps default in models.py, not in SQL.

def up(migrator, db):
    class Card(Model):
        class Meta:
            database = db
            table_name = 'card'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class QrCaptureSession(Model):
        user = ForeignKeyField(User)
        started_at = DateTimeField()
        closed_at = DateTimeField(index=True, null=True)
        class Meta:
            database = db
            table_name = 'qr_capture_session'
    db.create_tables([QrCaptureSession])

    class QrCaptureScan(Model):
        session = ForeignKeyField(QrCaptureSession, on_delete='CASCADE')
        at = DateTimeField()
        outcome = CharField(max_length=16)
        reason = CharField(max_length=200, default='')
        shown = CharField(max_length=100, default='')
        application_form_id = CharField(null=True, max_length=23)
        visit_type = CharField(null=True, max_length=16)
        card = ForeignKeyField(Card, null=True, on_delete='SET NULL')
        before = TextField(default='')
        undone = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'qr_capture_scan'
    db.create_tables([QrCaptureScan])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('qr_capture_scan'))
    migrator.migrate(migrator.drop_table('qr_capture_session'))
