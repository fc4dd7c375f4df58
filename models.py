"""The peewee schema of kofu (DESIGN.md §3). Identifiers are English, labels Japanese.

The database is declared once, unbound, and bound by ``app.create_app``.
"""

import datetime
import hmac

from flask import current_app
from peewee import (
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    TimeField,
)

from rules.clock import now, today
from rules.kana import kana_key, normalise_kana
from rules.passwords import session_mark

db = DatabaseProxy()

PURPOSES = (("apply", "申請"), ("collect", "交付(受取)"), ("renew_cert", "電子証明書更新"))
CHANNELS = (("web", "Web"), ("phone", "電話"), ("counter", "窓口"))
RESERVATION_STATUSES = (
    ("booked", "予約中"),
    ("visited", "来庁済"),
    ("no_show", "不来庁"),
    ("cancelled", "取消"),
)
LOCATION_KINDS = (("main", "本庁"), ("branch", "支所"), ("outreach", "出張窓口"))
APPLICATION_METHODS = (
    ("counter", "窓口申請"),
    ("outreach", "出張申請"),
    ("workplace", "勤務地等経由申請"),
    ("support", "申請サポート"),
)
VISIT_TYPES = (("at_application", "申請時来庁"), ("at_issuance", "交付時来庁"))
ISSUE_KINDS = (("new", "新規"), ("renewal", "更新"), ("reissue", "再交付"))
REISSUE_CAUSES = (
    ("lost", "紛失"),
    ("damaged", "破損"),
    ("stolen", "盗難"),
    ("record_change", "記載事項変更"),
    ("expired_cert", "電子証明書失効"),
    ("other", "その他"),
)
SEXES = (("male", "男"), ("female", "女"), ("other", "その他"))
CARD_STAGES = (
    ("delivered", "納品"),
    ("inspected", "検品済"),
    ("preset", "交付前設定済"),
    ("notified", "交付通知書発送済"),
    ("issued", "交付済"),
    ("returned", "返戻"),
    ("reminded", "督促"),
    ("mailed", "郵送"),
    ("on_hold", "保留"),
    ("disposed", "廃棄"),
)
FEE_KINDS = (
    ("reissue_card", "再交付手数料(カード)"),
    ("reissue_cert", "再交付手数料(電子証明書)"),
    ("express_card", "特急発行手数料(カード)"),
    ("express_cert", "特急発行手数料(電子証明書)"),
)
AUDIENCES = (("staff", "職員"), ("public", "住民"), ("both", "職員・住民"))
PRIORITIES = ((0, "通常"), (1, "重要"), (2, "緊急"))
ROLES = (("admin", "管理者"), ("supervisor", "責任者"), ("clerk", "担当者"), ("viewer", "閲覧者"))
SCAN_OUTCOMES = (("new", "新規"), ("updated", "更新"), ("duplicate", "重複"), ("error", "エラー"))


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class TimestampedModel(BaseModel):
    created_at = DateTimeField(default=now, verbose_name="登録日時")
    updated_at = DateTimeField(default=now, verbose_name="更新日時")

    def save(self, *args, **kwargs):
        self.updated_at = now()
        return super().save(*args, **kwargs)


class PersonRecord(TimestampedModel):
    """A row about one resident. ``kana_key`` is derived on save, for matching people: the same
    person is the same ``kana_key`` and ``birth_date``, one index."""

    name = CharField(max_length=100, verbose_name="氏名")
    kana = CharField(max_length=100, verbose_name="氏名フリガナ")
    kana_key = CharField(max_length=100, verbose_name="照合用フリガナ")
    birth_date = DateField(index=True, verbose_name="生年月日")

    class Meta:
        indexes = ((("kana_key", "birth_date"), False),)

    def save(self, *args, **kwargs):
        self.derive_kana_key()
        return super().save(*args, **kwargs)

    def derive_kana_key(self):
        """Normalise the kana and derive ``kana_key``: on save, and before an insert rendered ahead."""
        self.kana = normalise_kana(self.kana)
        self.kana_key = kana_key(self.kana)


class User(TimestampedModel):
    login = CharField(max_length=64, unique=True, verbose_name="ログインID")
    name = CharField(max_length=100, verbose_name="氏名")
    role = CharField(max_length=16, choices=ROLES, index=True, verbose_name="権限")
    password_hash = CharField(max_length=255, verbose_name="パスワードハッシュ")
    active = BooleanField(default=True, index=True, verbose_name="有効")
    failed_logins = IntegerField(default=0, verbose_name="連続失敗回数")
    locked_at = DateTimeField(null=True, index=True, verbose_name="ロック日時")
    last_login_at = DateTimeField(null=True, verbose_name="最終ログイン")
    password_changed_at = DateTimeField(null=True, verbose_name="パスワード変更日時")

    def __str__(self):
        return f"{self.name} ({self.login})"

    # The interface Flask-Login expects of a user object.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """What Flask-Login keeps in the session: the id and the mark of the current password."""
        return f"{self.id}:{session_mark(self.password_hash, current_app.secret_key)}"

    @classmethod
    def from_session(cls, session_id):
        """The active user a session belongs to, or None once the password has changed since."""
        user_id, _, mark = session_id.partition(":")
        user = cls.get_or_none((cls.id == int(user_id)) & cls.active) if user_id.isdigit() else None
        if user is None or not hmac.compare_digest(mark, session_mark(user.password_hash, current_app.secret_key)):
            return None
        return user


class Setting(BaseModel):
    key = CharField(max_length=64, unique=True, verbose_name="設定項目")
    value = TextField(verbose_name="値")


class Location(TimestampedModel):
    code = CharField(max_length=16, unique=True, verbose_name="場所コード")
    name = CharField(max_length=100, verbose_name="場所名")
    kind = CharField(max_length=16, choices=LOCATION_KINDS, default="main", verbose_name="種別")
    address = CharField(max_length=200, default="", verbose_name="所在地")
    phone = CharField(max_length=20, default="", verbose_name="電話番号")
    active = BooleanField(default=True, index=True, verbose_name="有効")
    sort_order = IntegerField(default=0, verbose_name="表示順")

    def __str__(self):
        return self.name

    @classmethod
    def in_order(cls):
        return cls.select().where(cls.active).order_by(cls.sort_order, cls.id)


class SlotRule(TimestampedModel):
    """How a location opens its counter: the template that slot rows are made from."""

    location = ForeignKeyField(Location, backref="slot_rules", verbose_name="場所")
    weekdays = CharField(max_length=20, default="0,1,2,3,4", verbose_name="曜日(0=月)")
    opens_at = TimeField(default=datetime.time(8, 30), verbose_name="開始時刻")
    closes_at = TimeField(default=datetime.time(17, 0), verbose_name="終了時刻")
    slot_minutes = IntegerField(default=30, verbose_name="枠の長さ(分)")
    capacity = IntegerField(default=2, verbose_name="定員")
    phone_reserved = IntegerField(default=0, verbose_name="電話予約用の席")
    purposes = CharField(max_length=64, default="apply,collect,renew_cert", verbose_name="予約種別")
    valid_from = DateField(null=True, verbose_name="適用開始日")
    valid_to = DateField(null=True, verbose_name="適用終了日")
    active = BooleanField(default=True, verbose_name="有効")


class ClosedDate(BaseModel):
    location = ForeignKeyField(Location, null=True, backref="closed_dates", verbose_name="場所(空欄は全場所)")
    date = DateField(index=True, verbose_name="休業日")
    reason = CharField(max_length=100, default="", verbose_name="理由")


class Slot(BaseModel):
    location = ForeignKeyField(Location, backref="slots", verbose_name="場所")
    date = DateField(verbose_name="日付")
    starts_at = TimeField(verbose_name="開始")
    ends_at = TimeField(verbose_name="終了")
    purposes = CharField(max_length=64, verbose_name="予約種別")
    capacity = IntegerField(verbose_name="定員")
    phone_reserved = IntegerField(default=0, verbose_name="電話予約用の席")
    booked = IntegerField(default=0, verbose_name="予約済人数")
    closed = BooleanField(default=False, verbose_name="受付停止")
    note = CharField(max_length=200, default="", verbose_name="備考")

    class Meta:
        indexes = ((("location", "date", "starts_at"), True), (("date", "location"), False))

    def __str__(self):
        return f"{self.date} {self.starts_at:%H:%M}"


class StorageLocation(TimestampedModel):
    location = ForeignKeyField(Location, backref="storage_locations", verbose_name="場所")
    code = CharField(max_length=32, unique=True, verbose_name="保管場所コード")
    cabinet = CharField(max_length=32, verbose_name="キャビネット")
    shelf = CharField(max_length=32, default="", verbose_name="棚")
    box = CharField(max_length=32, default="", verbose_name="箱")
    capacity = IntegerField(default=100, verbose_name="収容数")
    active = BooleanField(default=True, verbose_name="有効")

    def __str__(self):
        return "-".join(part for part in (self.cabinet, self.shelf, self.box) if part)


class Application(PersonRecord):
    application_form_id = CharField(max_length=23, unique=True, verbose_name="申請書ID")
    method = CharField(max_length=16, choices=APPLICATION_METHODS, index=True, verbose_name="申請方法")
    address = CharField(max_length=200, default="", verbose_name="住所")
    phone = CharField(max_length=20, default="", verbose_name="電話番号")
    visit_type = CharField(max_length=16, choices=VISIT_TYPES, index=True, verbose_name="来庁区分")
    issue_kind = CharField(max_length=16, choices=ISSUE_KINDS, default="new", verbose_name="申請理由")
    reissue_cause = CharField(max_length=16, choices=REISSUE_CAUSES, null=True, verbose_name="再交付の理由")
    police_report_number = CharField(max_length=40, default="", verbose_name="盗難届の受理番号")
    express = BooleanField(default=False, verbose_name="特急発行")
    location = ForeignKeyField(Location, backref="applications", verbose_name="受付場所")
    received_by = ForeignKeyField(User, null=True, verbose_name="受付者")
    received_on = DateField(default=today, index=True, verbose_name="受付日")
    event_name = CharField(max_length=100, default="", verbose_name="出張先・イベント名")
    employer = CharField(max_length=100, default="", verbose_name="勤務先")
    note = TextField(default="", verbose_name="備考")

    def __str__(self):
        return f"{self.name} ({self.application_form_id})"


class Card(PersonRecord):
    """One line of the カード管理簿."""

    application_form_id = CharField(max_length=23, unique=True, verbose_name="申請書ID")
    application = ForeignKeyField(Application, null=True, backref="cards", verbose_name="申請")
    sex = CharField(max_length=8, choices=SEXES, null=True, verbose_name="性別")
    address = CharField(max_length=200, default="", verbose_name="住所")
    notice_number = CharField(max_length=10, null=True, unique=True, verbose_name="交付通知書番号")
    card_expiry = DateField(null=True, verbose_name="カード有効期限")
    cert_expiry = DateField(null=True, verbose_name="電子証明書有効期限")
    received_on = DateField(null=True, verbose_name="申請受付日")
    visit_type = CharField(max_length=16, choices=VISIT_TYPES, index=True, verbose_name="来庁区分")
    issue_kind = CharField(max_length=16, choices=ISSUE_KINDS, default="new", verbose_name="発行区分")
    express = BooleanField(default=False, verbose_name="特急")
    delivered_on = DateField(null=True, index=True, verbose_name="納品日")
    batch = CharField(max_length=40, default="", index=True, verbose_name="納品ロット")
    stage = CharField(max_length=16, choices=CARD_STAGES, default="delivered", index=True, verbose_name="工程")
    location = ForeignKeyField(Location, null=True, backref="cards", verbose_name="交付場所")
    storage = ForeignKeyField(StorageLocation, null=True, backref="cards", verbose_name="保管場所")
    notified_on = DateField(null=True, verbose_name="通知書発送日")
    issue_deadline = DateField(null=True, index=True, verbose_name="交付期限")
    dispose_due = DateField(null=True, index=True, verbose_name="廃棄予定日")
    issued_at = DateTimeField(null=True, verbose_name="交付日時")
    note = TextField(default="", verbose_name="備考")

    def __str__(self):
        return f"{self.name} ({self.notice_number or self.application_form_id})"


class CardEvent(BaseModel):
    card = ForeignKeyField(Card, backref="events", on_delete="CASCADE", verbose_name="カード")
    at = DateTimeField(default=now, index=True, verbose_name="日時")
    user = ForeignKeyField(User, null=True, verbose_name="担当者")
    from_stage = CharField(max_length=16, choices=CARD_STAGES, null=True, verbose_name="変更前")
    to_stage = CharField(max_length=16, choices=CARD_STAGES, verbose_name="変更後")
    note = CharField(max_length=200, default="", verbose_name="備考")


class QrCaptureSession(BaseModel):
    """One sitting at the QR読取登録 screen: its scans are counted together and summarised at the close."""

    user = ForeignKeyField(User, backref="qr_capture_sessions", verbose_name="職員")
    started_at = DateTimeField(default=now, verbose_name="開始日時")
    closed_at = DateTimeField(null=True, index=True, verbose_name="終了日時")


class QrCaptureScan(BaseModel):
    """One code read at the QR読取登録 screen and what it did; ``before`` keeps what an update replaced."""

    session = ForeignKeyField(QrCaptureSession, backref="scans", on_delete="CASCADE", verbose_name="読取")
    at = DateTimeField(default=now, verbose_name="日時")
    outcome = CharField(max_length=16, choices=SCAN_OUTCOMES, verbose_name="結果")
    reason = CharField(max_length=200, default="", verbose_name="内容")
    shown = CharField(max_length=100, default="", verbose_name="読取内容")
    application_form_id = CharField(max_length=23, null=True, verbose_name="申請書ID")
    visit_type = CharField(max_length=16, choices=VISIT_TYPES, null=True, verbose_name="来庁区分")
    card = ForeignKeyField(Card, null=True, on_delete="SET NULL", verbose_name="カード")
    before = TextField(default="", verbose_name="更新前の値")
    undone = BooleanField(default=False, verbose_name="取消済")


class Reservation(PersonRecord):
    number = CharField(max_length=12, unique=True, verbose_name="予約番号")
    slot = ForeignKeyField(Slot, backref="reservations", verbose_name="時間枠")
    purpose = CharField(max_length=16, choices=PURPOSES, index=True, verbose_name="予約種別")
    channel = CharField(max_length=16, choices=CHANNELS, index=True, verbose_name="受付経路")
    status = CharField(max_length=16, choices=RESERVATION_STATUSES, default="booked", index=True, verbose_name="状態")
    phone = CharField(max_length=20, default="", verbose_name="電話番号")
    email = CharField(max_length=254, default="", verbose_name="メールアドレス")
    people = IntegerField(default=1, verbose_name="人数")
    notice_number = CharField(max_length=10, null=True, index=True, verbose_name="交付通知書番号")
    card = ForeignKeyField(Card, null=True, backref="reservations", verbose_name="カード")
    submission_token = CharField(max_length=64, null=True, unique=True, verbose_name="送信識別子")
    created_by = ForeignKeyField(User, null=True, verbose_name="登録者")
    checked_in_at = DateTimeField(null=True, verbose_name="来庁日時")
    cancelled_at = DateTimeField(null=True, verbose_name="取消日時")
    note = TextField(default="", verbose_name="備考")

    def __str__(self):
        return f"{self.number} {self.name}"


class FeePayment(BaseModel):
    application = ForeignKeyField(Application, null=True, backref="fees", verbose_name="申請")
    card = ForeignKeyField(Card, null=True, backref="fees", verbose_name="カード")
    location = ForeignKeyField(Location, verbose_name="場所")
    kind = CharField(max_length=16, choices=FEE_KINDS, verbose_name="種別")
    amount = IntegerField(verbose_name="金額(円)")
    exemption_reason = CharField(max_length=100, default="", verbose_name="免除理由")
    fiscal_year = IntegerField(verbose_name="年度")
    receipt_seq = IntegerField(verbose_name="領収番号")
    paid_at = DateTimeField(default=now, index=True, verbose_name="収納日時")
    received_by = ForeignKeyField(User, null=True, verbose_name="収納者")
    void = BooleanField(default=False, index=True, verbose_name="取消")
    void_reason = CharField(max_length=200, default="", verbose_name="取消理由")
    voided_by = ForeignKeyField(User, null=True, verbose_name="取消者")
    voided_at = DateTimeField(null=True, verbose_name="取消日時")
    submission_token = CharField(max_length=64, null=True, verbose_name="送信識別子")

    class Meta:
        indexes = ((("location", "fiscal_year", "receipt_seq"), True), (("submission_token", "kind"), True))


class ReceiptCounter(BaseModel):
    """The last receipt number given per location and fiscal year (gapless sequence)."""

    location = ForeignKeyField(Location, verbose_name="場所")
    fiscal_year = IntegerField(verbose_name="年度")
    last_seq = IntegerField(default=0, verbose_name="最終番号")

    class Meta:
        indexes = ((("location", "fiscal_year"), True),)


class Document(BaseModel):
    application = ForeignKeyField(Application, backref="documents", verbose_name="申請")
    title = CharField(max_length=100, default="", verbose_name="書類名")
    original_filename = CharField(max_length=255, verbose_name="元のファイル名")
    mime = CharField(max_length=64, verbose_name="形式")
    pages = IntegerField(default=1, verbose_name="ページ数")
    size = IntegerField(verbose_name="サイズ(バイト)")
    sha256 = CharField(max_length=64, index=True, verbose_name="SHA-256")
    stored_path = CharField(max_length=255, verbose_name="保存先")
    uploaded_by = ForeignKeyField(User, null=True, verbose_name="登録者")
    uploaded_at = DateTimeField(default=now, verbose_name="登録日時")
    deleted = BooleanField(default=False, index=True, verbose_name="削除済")
    deleted_by = ForeignKeyField(User, null=True, verbose_name="削除者")
    deleted_at = DateTimeField(null=True, verbose_name="削除日時")


class Announcement(TimestampedModel):
    title = CharField(max_length=100, verbose_name="件名")
    body = TextField(default="", verbose_name="本文")
    audience = CharField(max_length=8, choices=AUDIENCES, default="staff", index=True, verbose_name="対象")
    starts_at = DateTimeField(default=now, index=True, verbose_name="掲載開始")
    ends_at = DateTimeField(null=True, index=True, verbose_name="掲載終了")
    priority = IntegerField(choices=PRIORITIES, default=0, verbose_name="重要度")
    maintenance = BooleanField(default=False, verbose_name="メンテナンス告知")
    created_by = ForeignKeyField(User, null=True, verbose_name="登録者")

    @classmethod
    def current(cls, audience, at=None):
        """Announcements shown now to 'staff' or 'public', most important first."""
        at = at or now()
        return (
            cls.select()
            .where(
                cls.audience.in_((audience, "both")),
                cls.starts_at <= at,
                (cls.ends_at.is_null()) | (cls.ends_at > at),
            )
            .order_by(cls.priority.desc(), cls.starts_at.desc())
        )


class AuditLog(BaseModel):
    """Append-only: rows are only ever inserted (see ``save`` and ``delete_instance``)."""

    at = DateTimeField(default=now, index=True, verbose_name="日時")
    user = ForeignKeyField(User, null=True, verbose_name="職員")
    login = CharField(max_length=64, default="", index=True, verbose_name="ログインID")
    action = CharField(max_length=32, index=True, verbose_name="操作")
    model = CharField(max_length=32, default="", index=True, verbose_name="対象")
    object_id = CharField(max_length=32, default="", verbose_name="対象ID")
    changes = TextField(default="", verbose_name="変更内容")
    detail = TextField(default="", verbose_name="詳細")
    ip = CharField(max_length=45, default="", verbose_name="IPアドレス")
    path = CharField(max_length=255, default="", verbose_name="URL")

    def save(self, *args, **kwargs):
        if self.id is not None:
            raise PermissionError("操作ログは変更できません。")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise PermissionError("操作ログは削除できません。")


ALL_MODELS = (
    User,
    Setting,
    Location,
    SlotRule,
    ClosedDate,
    Slot,
    StorageLocation,
    Application,
    Card,
    CardEvent,
    QrCaptureSession,
    QrCaptureScan,
    Reservation,
    FeePayment,
    ReceiptCounter,
    Document,
    Announcement,
    AuditLog,
)
