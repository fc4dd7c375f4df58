"""The initial schema, frozen from models.py (python app.py make-migration initial).

Defaults computed in Python (timestamps, today) live in models.py, not in SQL."""
from peewee import *


def up(migrator, db):
    class User(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        login = CharField(unique=True, max_length=64)
        name = CharField(max_length=100)
        role = CharField(index=True, max_length=16)
        password_hash = CharField()
        active = BooleanField(index=True, default=True)
        failed_logins = IntegerField(default=0)
        locked_at = DateTimeField(index=True, null=True)
        last_login_at = DateTimeField(null=True)
        password_changed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Announcement(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        title = CharField(max_length=100)
        body = TextField(default='')
        audience = CharField(index=True, max_length=8, default='staff')
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField(index=True, null=True)
        priority = IntegerField(default=0)
        maintenance = BooleanField(default=False)
        created_by = ForeignKeyField(User, null=True)
        class Meta:
            database = db
            table_name = 'announcement'
    db.create_tables([Announcement])

    class Location(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        code = CharField(unique=True, max_length=16)
        name = CharField(max_length=100)
        kind = CharField(max_length=16, default='main')
        address = CharField(max_length=200, default='')
        phone = CharField(max_length=20, default='')
        active = BooleanField(index=True, default=True)
        sort_order = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'location'
    db.create_tables([Location])

    class Application(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(max_length=100)
        kana = CharField(max_length=100)
        kana_key = CharField(index=True, max_length=100)
        birth_date = DateField(index=True)
        application_form_id = CharField(unique=True, max_length=23)
        method = CharField(index=True, max_length=16)
        address = CharField(max_length=200, default='')
        phone = CharField(max_length=20, default='')
        visit_type = CharField(index=True, max_length=16)
        issue_kind = CharField(max_length=16, default='new')
        reissue_cause = CharField(null=True, max_length=16)
        police_report_number = CharField(max_length=40, default='')
        express = BooleanField(default=False)
        location = ForeignKeyField(Location)
        received_by = ForeignKeyField(User, null=True)
        received_on = DateField(index=True)
        event_name = CharField(max_length=100, default='')
        employer = CharField(max_length=100, default='')
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'application'
    db.create_tables([Application])

    class AuditLog(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True)
        login = CharField(index=True, max_length=64, default='')
        action = CharField(index=True, max_length=32)
        model = CharField(index=True, max_length=32, default='')
        object_id = CharField(max_length=32, default='')
        changes = TextField(default='')
        detail = TextField(default='')
        ip = CharField(max_length=45, default='')
        path = CharField(default='')
        class Meta:
            database = db
            table_name = 'audit_log'
    db.create_tables([AuditLog])

    class StorageLocation(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        location = ForeignKeyField(Location)
        code = CharField(unique=True, max_length=32)
        cabinet = CharField(max_length=32)
        shelf = CharField(max_length=32, default='')
        box = CharField(max_length=32, default='')
        capacity = IntegerField(default=100)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'storage_location'
    db.create_tables([StorageLocation])

    class Card(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(max_length=100)
        kana = CharField(max_length=100)
        kana_key = CharField(index=True, max_length=100)
        birth_date = DateField(index=True)
        application_form_id = CharField(unique=True, max_length=23)
        application = ForeignKeyField(Application, null=True)
        sex = CharField(null=True, max_length=8)
        address = CharField(max_length=200, default='')
        notice_number = CharField(unique=True, null=True, max_length=10)
        card_expiry = DateField(null=True)
        cert_expiry = DateField(null=True)
        visit_type = CharField(index=True, max_length=16)
        issue_kind = CharField(max_length=16, default='new')
        express = BooleanField(default=False)
        delivered_on = DateField(index=True, null=True)
        batch = CharField(index=True, max_length=40, default='')
        stage = CharField(index=True, max_length=16, default='delivered')
        location = ForeignKeyField(Location, null=True)
        storage = ForeignKeyField(StorageLocation, null=True)
        notified_on = DateField(null=True)
        issue_deadline = DateField(index=True, null=True)
        dispose_due = DateField(index=True, null=True)
        issued_at = DateTimeField(null=True)
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'card'
    db.create_tables([Card])

    class CardEvent(Model):
        card = ForeignKeyField(Card, on_delete='CASCADE')
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True)
        from_stage = CharField(null=True, max_length=16)
        to_stage = CharField(max_length=16)
        note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'card_event'
    db.create_tables([CardEvent])

    class ClosedDate(Model):
        location = ForeignKeyField(Location, null=True)
        date = DateField(index=True)
        reason = CharField(max_length=100, default='')
        class Meta:
            database = db
            table_name = 'closed_date'
    db.create_tables([ClosedDate])

    class Document(Model):
        application = ForeignKeyField(Application)
        title = CharField(max_length=100, default='')
        original_filename = CharField()
        mime = CharField(max_length=64)
        pages = IntegerField(default=1)
        size = IntegerField()
        sha256 = CharField(index=True, max_length=64)
        stored_path = CharField()
        uploaded_by = ForeignKeyField(User, null=True)
        uploaded_at = DateTimeField()
        deleted = BooleanField(index=True, default=False)
        deleted_by = ForeignKeyField(User, null=True)
        deleted_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'document'
    db.create_tables([Document])

    class FeePayment(Model):
        application = ForeignKeyField(Application, null=True)
        card = ForeignKeyField(Card, null=True)
        location = ForeignKeyField(Location)
        kind = CharField(max_length=16)
        amount = IntegerField()
        exemption_reason = CharField(max_length=100, default='')
        fiscal_year = IntegerField()
        receipt_seq = IntegerField()
        paid_at = DateTimeField(index=True)
        received_by = ForeignKeyField(User, null=True)
        void = BooleanField(index=True, default=False)
        void_reason = CharField(max_length=200, default='')
        voided_by = ForeignKeyField(User, null=True)
        voided_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'fee_payment'
            indexes = ((('location', 'fiscal_year', 'receipt_seq'), True),)
    db.create_tables([FeePayment])

    class ReceiptCounter(Model):
        location = ForeignKeyField(Location)
        fiscal_year = IntegerField()
        last_seq = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'receipt_counter'
            indexes = ((('location', 'fiscal_year'), True),)
    db.create_tables([ReceiptCounter])

    class Slot(Model):
        location = ForeignKeyField(Location)
        date = DateField()
        starts_at = TimeField()
        ends_at = TimeField()
        purposes = CharField(max_length=64)
        capacity = IntegerField()
        phone_reserved = IntegerField(default=0)
        booked = IntegerField(default=0)
        closed = BooleanField(default=False)
        note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'slot'
            indexes = ((('location', 'date', 'starts_at'), True), (('date', 'location'), False))
    db.create_tables([Slot])

    class Reservation(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(max_length=100)
        kana = CharField(max_length=100)
        kana_key = CharField(index=True, max_length=100)
        birth_date = DateField(index=True)
        number = CharField(unique=True, max_length=12)
        slot = ForeignKeyField(Slot)
        purpose = CharField(index=True, max_length=16)
        channel = CharField(index=True, max_length=16)
        status = CharField(index=True, max_length=16, default='booked')
        phone = CharField(max_length=20, default='')
        email = CharField(max_length=254, default='')
        people = IntegerField(default=1)
        notice_number = CharField(index=True, null=True, max_length=10)
        card = ForeignKeyField(Card, null=True)
        submission_token = CharField(unique=True, null=True, max_length=64)
        created_by = ForeignKeyField(User, null=True)
        checked_in_at = DateTimeField(null=True)
        cancelled_at = DateTimeField(null=True)
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'reservation'
    db.create_tables([Reservation])

    class Setting(Model):
        key = CharField(unique=True, max_length=64)
        value = TextField()
        class Meta:
            database = db
            table_name = 'setting'
    db.create_tables([Setting])

    class SlotRule(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        location = ForeignKeyField(Location)
        weekdays = CharField(max_length=20, default='0,1,2,3,4')
        opens_at = TimeField()
        closes_at = TimeField()
        slot_minutes = IntegerField(default=30)
        capacity = IntegerField(default=2)
        phone_reserved = IntegerField(default=0)
        purposes = CharField(max_length=64, default='apply,collect,renew_cert')
        valid_from = DateField(null=True)
        valid_to = DateField(null=True)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'slot_rule'
    db.create_tables([SlotRule])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('slot_rule'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('reservation'))
    migrator.migrate(migrator.drop_table('slot'))
    migrator.migrate(migrator.drop_table('receipt_counter'))
    migrator.migrate(migrator.drop_table('fee_payment'))
    migrator.migrate(migrator.drop_table('document'))
    migrator.migrate(migrator.drop_table('closed_date'))
    migrator.migrate(migrator.drop_table('card_event'))
    migrator.migrate(migrator.drop_table('card'))
    migrator.migrate(migrator.drop_table('storage_location'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('application'))
    migrator.migrate(migrator.drop_table('location'))
    migrator.migrate(migrator.drop_table('announcement'))
    migrator.migrate(migrator.drop_table('user'))
