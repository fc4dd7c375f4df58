"""手数料 (issue 4): what an applicant owes, taking it under a gapless receipt number, voiding it,
and the daily cash report (日計表). Plain functions, no Flask; callers write the audit rows.

``amount_due(issue_kind, *, reissue_cause=None, express=False, police_report_number="",
birth_date=None, exemption="", exemption_note="", with_certificate=True, on=None) -> Due``
    The fee lines of one application, each with its amount and, when free, the reason.
``due_for_application(application, **choices) -> Due``: the same, read from an Application.
``take_payment(application, *, location, user, submission_token, confirmed_total, ...) -> Receipt``
    Record the lines of ``due_for_application`` as FeePayment rows, numbered per fiscal year and
    location without gaps. The same ``submission_token`` again returns the first rows.
``void_payment(payment_id, *, user, reason, at=None) -> FeePayment`` (supervisor and above).
``daily_report(location, day) -> DailyReport`` and ``daily_report_csv(report) -> str``.
``receipt_context(payments)``, ``daily_report_context(report)``: what the PDF templates print.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from peewee import IntegrityError

from database import write_transaction
from models import FEE_KINDS, ISSUE_KINDS, FeePayment, ReceiptCounter, db
from rules import settings
from rules.clock import now, today
from rules.roles import role_at_least

FEE_LABELS = dict(FEE_KINDS)
FEE_SETTINGS = {
    "reissue_card": "fee_reissue_card",
    "reissue_cert": "fee_reissue_cert",
    "express_card": "fee_express_card",
    "express_cert": "fee_express_cert",
}
# Free cases a clerk chooses; 盗難 (with a 受理番号) and 1歳未満 are recognised from the application.
EXEMPTIONS = {
    "from_abroad": "国外転入",
    "disaster": "災害による滅失・損傷",
    "card_fault": "カードの不具合(本人の責めによらないもの)",
    "other": "その他の免除",
}
EXPRESS_EXEMPTIONS = frozenset({"from_abroad", "other"})
REISSUE_EXEMPTIONS = frozenset({"disaster", "card_fault", "other"})
VOID_ROLE = "supervisor"
MAX_REASON_LENGTH = 200


class FeeError(Exception):
    """A refused fee operation: ``field`` it concerns and a Japanese ``message``."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FeeLine:
    kind: str
    amount: int
    exemption_reason: str = ""

    @property
    def label(self):
        return FEE_LABELS[self.kind]


@dataclass(frozen=True)
class Due:
    lines: tuple

    @property
    def total(self):
        return sum(line.amount for line in self.lines)

    @property
    def exemption_reason(self):
        return next((line.exemption_reason for line in self.lines if line.exemption_reason), "")


@dataclass(frozen=True)
class Receipt:
    payments: list
    created: bool = True

    @property
    def total(self):
        return sum(payment.amount for payment in self.payments)


def fiscal_year(day):
    """The Japanese fiscal year (年度) a day belongs to: April to March."""
    return day.year if day.month >= 4 else day.year - 1


def receipt_number(payment):
    return f"{payment.fiscal_year}年度 第{payment.receipt_seq}号"


def is_under_one(birth_date, on):
    if birth_date is None:
        return False
    try:
        first_birthday = birth_date.replace(year=birth_date.year + 1)
    except ValueError:  # born on 29 February
        first_birthday = datetime.date(birth_date.year + 1, 3, 1)
    return on < first_birthday


def amount_due(
    issue_kind,
    *,
    reissue_cause=None,
    express=False,
    police_report_number="",
    birth_date=None,
    exemption="",
    exemption_note="",
    with_certificate=True,
    on=None,
):
    """The fee lines for one application; an empty ``Due`` when nothing is charged at all."""
    on = on or today()
    reissue = issue_kind == "reissue"
    if reissue and not reissue_cause:
        raise FeeError("reissue_cause", "再交付の場合は、再交付の理由を選んでください。")
    if not reissue and not express:
        if exemption:
            raise FeeError("exemption", "この申請には手数料がかからないため、免除の理由は選べません。")
        return Due(())
    prefix = "express" if express else "reissue"
    kinds = [f"{prefix}_card"] + ([f"{prefix}_cert"] if with_certificate else [])
    reason = _exemption_reason(reissue, reissue_cause, police_report_number, birth_date, exemption, exemption_note, on)
    amounts = {kind: 0 if reason else settings.get(FEE_SETTINGS[kind]) for kind in kinds}
    return Due(tuple(FeeLine(kind, amounts[kind], reason) for kind in kinds))


def _exemption_reason(reissue, reissue_cause, police_report_number, birth_date, exemption, exemption_note, on):
    if exemption and exemption not in EXEMPTIONS:
        raise FeeError("exemption", "免除の理由が正しくありません。")
    allowed = REISSUE_EXEMPTIONS if reissue else EXPRESS_EXEMPTIONS
    if exemption and exemption not in allowed:
        kind = "再交付" if reissue else "特急発行"
        raise FeeError("exemption", f"{kind}には「{EXEMPTIONS[exemption]}」による免除は適用できません。")
    if exemption == "other":
        note = (exemption_note or "").strip()
        if not note:
            raise FeeError("exemption_note", "「その他の免除」を選んだ場合は、免除の理由を入力してください。")
        return f"{EXEMPTIONS['other']}: {note}"[:100]
    if exemption:
        return EXEMPTIONS[exemption]
    if reissue and reissue_cause == "stolen" and police_report_number.strip():
        return f"盗難(受理番号 {police_report_number.strip()})"[:100]
    if not reissue and is_under_one(birth_date, on):
        return "1歳未満"
    return ""


def due_for_application(application, *, exemption="", exemption_note="", with_certificate=True, on=None):
    return amount_due(
        application.issue_kind,
        reissue_cause=application.reissue_cause,
        express=application.express,
        police_report_number=application.police_report_number or "",
        birth_date=application.birth_date,
        exemption=exemption,
        exemption_note=exemption_note,
        with_certificate=with_certificate,
        on=on,
    )


def parse_amount(text):
    """The total a clerk confirmed on the screen, as a whole number of yen."""
    cleaned = str(text if text is not None else "").strip().replace(",", "").removesuffix("円")
    try:
        amount = int(cleaned)
    except ValueError:
        raise FeeError("confirmed_total", "金額は半角数字で入力してください。") from None
    if amount < 0:
        raise FeeError("confirmed_total", "金額にマイナスは指定できません。")
    return amount


def take_payment(
    application,
    *,
    location,
    user,
    submission_token,
    confirmed_total,
    exemption="",
    exemption_note="",
    with_certificate=True,
    at=None,
):
    """Record one application's fee lines, each with its own receipt number, in one transaction.

    ``confirmed_total`` is the total the clerk saw and took: it must equal what is due, so an
    edited or stale amount is refused instead of recorded.
    """
    if not submission_token:
        raise FeeError("submission_token", "送信内容を確認できません。画面を読み込み直してください。")
    earlier = payments_with_token(submission_token)
    if earlier:
        return Receipt(earlier, created=False)
    at = at or now()
    due = due_for_application(
        application, exemption=exemption, exemption_note=exemption_note, with_certificate=with_certificate, on=at.date()
    )
    if not due.lines:
        raise FeeError("application", "この申請には手数料がかかりません。")
    total = parse_amount(confirmed_total)
    if total != due.total:
        raise FeeError(
            "confirmed_total", f"金額が請求額({due.total:,}円)と一致しません。画面を読み込み直して確認してください。"
        )
    year = fiscal_year(at.date())
    try:
        with write_transaction(db):
            first = _reserve_receipt_numbers(location.id, year, len(due.lines))
            # Checked after the counter is locked, so two terminals cannot both take the same fee.
            _refuse_if_already_paid(application, due, submission_token)
            payments = [
                FeePayment.create(
                    application=application,
                    location=location,
                    kind=line.kind,
                    amount=line.amount,
                    exemption_reason=line.exemption_reason,
                    fiscal_year=year,
                    receipt_seq=first + offset,
                    paid_at=at,
                    received_by=user,
                    submission_token=submission_token,
                )
                for offset, line in enumerate(due.lines)
            ]
    except IntegrityError:
        # The same submission was being recorded at the same moment and got there first.
        earlier = payments_with_token(submission_token)
        if not earlier:
            raise
        return Receipt(earlier, created=False)
    return Receipt(payments)


def _refuse_if_already_paid(application, due, submission_token):
    """Refuse a fee the application has already paid; the same submission again is left to the
    unique index on its token, which turns it into the first submission's receipt."""
    paid = (
        FeePayment.select()
        .where(
            FeePayment.application == application,
            FeePayment.kind.in_([line.kind for line in due.lines]),
            FeePayment.void == False,  # noqa: E712
            FeePayment.submission_token.is_null() | (FeePayment.submission_token != submission_token),
        )
        .order_by(FeePayment.receipt_seq)
        .first()
    )
    if paid:
        raise FeeError(
            "application",
            f"この申請の手数料は既に収納されています({receipt_number(paid)})。収納し直すときは先に取り消してください。",
        )


def payments_with_token(submission_token):
    return list(
        FeePayment.select().where(FeePayment.submission_token == submission_token).order_by(FeePayment.receipt_seq)
    )


def _reserve_receipt_numbers(location_id, year, count):
    """The first of ``count`` consecutive receipt numbers. The counter row stays locked until the
    payment's transaction ends, and a rollback gives the numbers back: no gaps, no duplicates."""
    ReceiptCounter.insert(location=location_id, fiscal_year=year, last_seq=0).on_conflict_ignore().execute()
    (
        ReceiptCounter.update(last_seq=ReceiptCounter.last_seq + count)
        .where(ReceiptCounter.location == location_id, ReceiptCounter.fiscal_year == year)
        .execute()
    )
    last = (
        ReceiptCounter.select(ReceiptCounter.last_seq)
        .where(ReceiptCounter.location == location_id, ReceiptCounter.fiscal_year == year)
        .scalar()
    )
    return last - count + 1


def void_payment(payment_id, *, user, reason, at=None):
    """Mark a payment void, keeping the row. Only supervisors and above, and only with a reason."""
    if user is None or not role_at_least(user.role, VOID_ROLE):
        raise FeeError("user", "手数料の取消は責任者以上の権限が必要です。")
    reason = (reason or "").strip()
    if not reason:
        raise FeeError("void_reason", "取消の理由を入力してください。")
    if len(reason) > MAX_REASON_LENGTH:
        raise FeeError("void_reason", f"取消の理由は{MAX_REASON_LENGTH}文字以内で入力してください。")
    voided = (
        FeePayment.update(void=True, void_reason=reason, voided_by=user, voided_at=at or now())
        .where(FeePayment.id == payment_id, FeePayment.void == False)  # noqa: E712
        .execute()
    )
    if not voided:
        raise FeeError("payment", "この手数料は見つからないか、既に取り消されています。")
    return FeePayment.get_by_id(payment_id)


@dataclass(frozen=True)
class KindTotal:
    kind: str
    count: int
    amount: int

    @property
    def label(self):
        return FEE_LABELS[self.kind]


@dataclass(frozen=True)
class DailyReport:
    location: object
    day: datetime.date
    payments: list
    voided: list
    by_kind: list

    @property
    def total_amount(self):
        return sum(payment.amount for payment in self.payments)

    @property
    def total_count(self):
        return len(self.payments)

    @property
    def exempt_count(self):
        return sum(1 for payment in self.payments if payment.exemption_reason)


def daily_report(location, day):
    """Every fee line taken at ``location`` on ``day``: valid ones with totals per kind, and the
    voided ones listed apart and left out of every total."""
    start = datetime.datetime.combine(day, datetime.time())
    rows = list(
        FeePayment.select()
        .where(
            FeePayment.location == location,
            FeePayment.paid_at >= start,
            FeePayment.paid_at < start + datetime.timedelta(days=1),
        )
        .order_by(FeePayment.fiscal_year, FeePayment.receipt_seq)
    )
    payments = [row for row in rows if not row.void]
    by_kind = [_kind_total(kind, payments) for kind, _ in FEE_KINDS]
    return DailyReport(location, day, payments, [row for row in rows if row.void], by_kind)


def _kind_total(kind, payments):
    amounts = [payment.amount for payment in payments if payment.kind == kind]
    return KindTotal(kind, len(amounts), sum(amounts))


CSV_HEADER = ("区分", "領収番号", "収納日時", "種別", "金額(円)", "免除理由", "申請書ID", "氏名", "取消理由")


def daily_report_csv(report):
    """The report as CSV text: one line per fee line, then the totals per kind and overall."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for label, rows in (("収納", report.payments), ("取消", report.voided)):
        for payment in rows:
            application = payment.application
            writer.writerow(
                (
                    label,
                    receipt_number(payment),
                    payment.paid_at.strftime("%Y-%m-%d %H:%M"),
                    FEE_LABELS[payment.kind],
                    payment.amount,
                    payment.exemption_reason,
                    application.application_form_id if application else "",
                    application.name if application else "",
                    payment.void_reason,
                )
            )
    for line in report.by_kind:
        writer.writerow(("種別計", "", "", line.label, line.amount, f"{line.count}件", "", "", ""))
    writer.writerow(("合計", "", "", "", report.total_amount, f"{report.total_count}件", "", "", ""))
    return output.getvalue()


def receipt_context(payments):
    """What the 領収書 template prints for the fee lines of one submission (voided ones left out)."""
    payments = [payment for payment in payments if not payment.void]
    if not payments:
        raise FeeError("payment", "取り消された手数料の領収書は出力できません。")
    first, last = payments[0], payments[-1]
    numbers = receipt_number(first)
    if last.receipt_seq != first.receipt_seq:
        numbers += f"〜第{last.receipt_seq}号"
    return {
        "payments": payments,
        "application": first.application,
        "location": first.location,
        "paid_at": first.paid_at,
        "receipt_numbers": numbers,
        "total": sum(payment.amount for payment in payments),
        "issue_kind_label": dict(ISSUE_KINDS)[first.application.issue_kind],
        "clerk_name": first.received_by.name if first.received_by else "",
        "fee_labels": FEE_LABELS,
    }


def daily_report_context(report, printed_at=None):
    return {"report": report, "fee_labels": FEE_LABELS, "printed_at": printed_at or now()}
