"""The staff site at /admin/: every view registered in one place, under five menu categories."""

from flask import g
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from admin_views.account import PasswordView
from admin_views.administration import (
    AnnouncementView,
    AuditLogView,
    LocationView,
    ReceiptCounterView,
    SettingView,
    UserView,
)
from admin_views.applicant import ApplicantPage
from admin_views.applications import ApplicationView, DocumentView, FeePaymentView
from admin_views.base import ROLE_LABELS
from admin_views.booking_desk import BookingDeskView
from admin_views.card_documents import CardDocumentsPage
from admin_views.card_import import CardImportView
from admin_views.card_process import CardDetailPage, CardScanPage, CardWorklistPage
from admin_views.card_reading import CardReadingPage
from admin_views.card_storage import StoragePage, VisitTypeListPage
from admin_views.cards import CardEventView, CardView, StorageLocationView
from admin_views.cash_report import DailyCashReportPage
from admin_views.checkin import CheckInView
from admin_views.documents import DocumentPage
from admin_views.extraction import ExtractionView
from admin_views.home import HomeView
from admin_views.qr_capture import CaptureView
from admin_views.qr_scan_import import QrScanImportView
from admin_views.reservations import ClosedDateView, ReservationView, SlotRuleView, SlotView
from admin_views.slot_calendar import SlotCalendarView
from admin_views.statistics import DailyStatisticsView
from admin_views.statistics_report import StatisticsReportView
from models import (
    Announcement,
    Application,
    AuditLog,
    Card,
    CardEvent,
    ClosedDate,
    Document,
    FeePayment,
    Location,
    ReceiptCounter,
    Reservation,
    Setting,
    Slot,
    SlotRule,
    StorageLocation,
    User,
)

RESERVATIONS, APPLICATIONS, CARDS, STATISTICS, ADMINISTRATION = "予約", "申請受付", "カード管理", "集計", "管理"


def register_admin(app):
    admin = Admin(
        app,
        name="カード交付",
        index_view=HomeView(name="ホーム", url="/admin"),
        theme=Bootstrap4Theme(base_template="admin/kofu_base.html", fluid=True),
        csp_nonce_generator=lambda: g.get("csp_nonce", ""),
    )
    admin.add_view(CheckInView(name="本日の来庁者", endpoint="checkin", category=RESERVATIONS))
    admin.add_view(BookingDeskView(name="電話・窓口予約", endpoint="booking_desk", category=RESERVATIONS))
    admin.add_view(ReservationView(Reservation, name="来庁予約", category=RESERVATIONS))
    admin.add_view(SlotCalendarView(name="時間枠の週表示", endpoint="slot_calendar", category=RESERVATIONS))
    admin.add_view(SlotView(Slot, name="時間枠", category=RESERVATIONS))
    admin.add_view(SlotRuleView(SlotRule, name="時間枠の規則", category=RESERVATIONS))
    admin.add_view(ClosedDateView(ClosedDate, name="休業日", category=RESERVATIONS))
    admin.add_view(ApplicationView(Application, name="交付申請受付", category=APPLICATIONS))
    admin.add_view(FeePaymentView(FeePayment, name="手数料", category=APPLICATIONS))
    admin.add_view(DocumentView(Document, name="書類イメージ", category=APPLICATIONS))
    admin.add_view(DailyCashReportPage(name="手数料日計表", endpoint="cash_report", category=APPLICATIONS))
    admin.add_view(ApplicantPage(name="申請者", endpoint="applicant"))
    admin.add_view(DocumentPage(name="書類イメージ表示", endpoint="documents"))
    admin.add_view(CardView(Card, name="カード管理簿", category=CARDS))
    admin.add_view(CardImportView(name="CSV取込", endpoint="card_import", category=CARDS))
    admin.add_view(CaptureView(name="QR読取登録", endpoint="qr_capture", category=CARDS))
    admin.add_view(QrScanImportView(name="QRスキャン画像取込", endpoint="qr_scan_import", category=CARDS))
    admin.add_view(CardScanPage(name="棚で工程を進める", endpoint="card_scan", category=CARDS))
    admin.add_view(CardReadingPage(name="カード読取", endpoint="card_reading", category=CARDS))
    admin.add_view(StoragePage(name="保管場所の割当・検索", endpoint="card_storage", category=CARDS))
    admin.add_view(CardDocumentsPage(name="交付書類の印刷", endpoint="card_documents", category=CARDS))
    admin.add_view(CardWorklistPage(name="督促・廃棄対象", endpoint="card_worklist", category=CARDS))
    admin.add_view(VisitTypeListPage(name="来庁区分別一覧", endpoint="card_visit_types", category=CARDS))
    admin.add_view(CardEventView(CardEvent, name="工程履歴", category=CARDS))
    admin.add_view(StorageLocationView(StorageLocation, name="保管場所", category=CARDS))
    admin.add_view(CardDetailPage(name="カード", endpoint="card_detail"))
    admin.add_view(DailyStatisticsView(name="日別集計", endpoint="statistics", category=STATISTICS))
    admin.add_view(StatisticsReportView(name="集計グラフ", endpoint="statistics_report", category=STATISTICS))
    admin.add_view(ExtractionView(name="CSV抽出", endpoint="extraction", category=STATISTICS))
    admin.add_view(UserView(User, name="職員", category=ADMINISTRATION))
    admin.add_view(LocationView(Location, name="場所", category=ADMINISTRATION))
    admin.add_view(AnnouncementView(Announcement, name="お知らせ", category=ADMINISTRATION))
    admin.add_view(SettingView(Setting, name="設定", category=ADMINISTRATION))
    admin.add_view(AuditLogView(AuditLog, name="操作ログ", category=ADMINISTRATION))
    admin.add_view(ReceiptCounterView(ReceiptCounter, name="領収番号", category=ADMINISTRATION))
    admin.add_view(PasswordView(name="パスワード変更", endpoint="password"))

    @app.context_processor
    def role_labels():
        return {"role_labels": ROLE_LABELS}

    return admin
