"""One applicant's page: the application with its reservations, fees, document images and card, and
the counter work done from it (taking a fee, voiding it, printing the receipt)."""

import secrets

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from flask_login import current_user
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

import audit
import pdf
from admin_views.base import StaffPage, current_role_at_least
from admin_views.documents import UploadForm
from base_form import KofuForm
from models import (
    APPLICATION_METHODS,
    CARD_STAGES,
    ISSUE_KINDS,
    PURPOSES,
    REISSUE_CAUSES,
    RESERVATION_STATUSES,
    VISIT_TYPES,
    Application,
    Card,
    FeePayment,
    Location,
    Reservation,
    Slot,
)
from rules import fees, uploads
from rules.fees import FeeError

LABELS = {
    "method": dict(APPLICATION_METHODS),
    "visit_type": dict(VISIT_TYPES),
    "issue_kind": dict(ISSUE_KINDS),
    "reissue_cause": dict(REISSUE_CAUSES),
    "stage": dict(CARD_STAGES),
    "purpose": dict(PURPOSES),
    "status": dict(RESERVATION_STATUSES),
}


class PaymentForm(KofuForm):
    exemption = SelectField(
        "免除の理由",
        choices=[SelectChoice("", "免除なし"), *(SelectChoice(code, label) for code, label in fees.EXEMPTIONS.items())],
        default="",
    )
    exemption_note = StringField("免除の理由(その他のとき)")
    with_certificate = BooleanField("電子証明書も発行する", default=True)
    confirmed_total = StringField("受け取る金額(円)")
    submission_token = HiddenField()
    recalculate = SubmitField("金額を計算し直す")
    pay = SubmitField("収納する")


class VoidForm(KofuForm):
    void_reason = StringField("取消の理由")


class ApplicantPage(StaffPage):
    min_role = "viewer"
    view_roles = {"pay": "clerk", "receipt": "clerk", "void": fees.VOID_ROLE}

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("application.index_view"))

    @expose("/<int:application_id>")
    def detail(self, application_id):
        application = _application_or_404(application_id)
        form = PaymentForm(formdata=None, submission_token=secrets.token_urlsafe(24))
        return self._render(application, form)

    def _render(self, application, payment_form):
        due = _due_or_none(application, payment_form)
        payment_form.confirmed_total.data = str(due.total) if due else ""
        return self.render(
            "admin/applicant.html",
            application=application,
            reservations=_reservations_of(application),
            payments=list(application.fees.order_by(FeePayment.paid_at, FeePayment.receipt_seq)),
            documents=uploads.applicant_documents(application),
            card=Card.get_or_none(Card.application_form_id == application.application_form_id),
            due=due,
            payment_form=payment_form,
            void_form=VoidForm(),
            upload_form=UploadForm(),
            fee_labels=fees.FEE_LABELS,
            labels=LABELS,
            receipt_number=fees.receipt_number,
            can_take_payments=current_role_at_least("clerk"),
            can_void=current_role_at_least(fees.VOID_ROLE),
            can_see_images=current_role_at_least(uploads.VIEW_ROLE),
            can_delete_documents=current_role_at_least(uploads.DELETE_ROLE),
        )

    @expose("/<int:application_id>/pay", methods=("POST",))
    def pay(self, application_id):
        application = _application_or_404(application_id)
        form = PaymentForm()
        if not form.validate_on_submit():
            abort(400)
        if form.recalculate.data:
            return self._render(application, form)
        try:
            receipt = fees.take_payment(
                application,
                location=application.location,
                user=current_user._get_current_object(),
                submission_token=form.submission_token.data,
                confirmed_total=form.confirmed_total.data,
                exemption=form.exemption.data,
                exemption_note=form.exemption_note.data,
                with_certificate=form.with_certificate.data,
            )
        except FeeError as error:
            flash(error.message, "error")
            return self._render(application, form)
        first = receipt.payments[0]
        if receipt.created:
            audit.record(
                "create",
                model="FeePayment",
                object_id=",".join(str(payment.id) for payment in receipt.payments),
                changes={
                    fees.receipt_number(payment): [None, f"{fees.FEE_LABELS[payment.kind]} {payment.amount}円"]
                    for payment in receipt.payments
                },
                detail=f"申請書ID {application.application_form_id}",
            )
            flash(f"{fees.receipt_number(first)}ほか、{receipt.total:,}円を収納しました。", "success")
        else:
            flash("この収納は既に登録されています(二重送信は記録していません)。", "warning")
        return redirect(url_for(".detail", application_id=application_id) + "#fees")

    @expose("/payment/<int:payment_id>/receipt")
    def receipt(self, payment_id):
        payment = FeePayment.get_or_none(FeePayment.id == payment_id) or abort(404)
        try:
            context = fees.receipt_context(
                fees.payments_with_token(payment.submission_token) if payment.submission_token else [payment]
            )
        except FeeError as error:
            flash(error.message, "error")
            return redirect(url_for(".detail", application_id=payment.application_id))
        return pdf.pdf_response(
            "receipt.html",
            f"領収書_{payment.fiscal_year}_{payment.receipt_seq}.pdf",
            model="FeePayment",
            object_id=payment.id,
            detail=f"領収書 {context['receipt_numbers']}",
            **context,
        )

    @expose("/payment/<int:payment_id>/void", methods=("POST",))
    def void(self, payment_id):
        payment = FeePayment.get_or_none(FeePayment.id == payment_id) or abort(404)
        form = VoidForm()
        if not form.validate_on_submit():
            abort(400)
        try:
            voided = fees.void_payment(
                payment.id, user=current_user._get_current_object(), reason=form.void_reason.data
            )
        except FeeError as error:
            flash(error.message, "error")
        else:
            audit.record(
                "update",
                model="FeePayment",
                object_id=payment.id,
                changes={"void": [False, True], "void_reason": ["", voided.void_reason]},
                detail=f"{fees.receipt_number(voided)} を取消",
            )
            flash(f"{fees.receipt_number(voided)}を取り消しました。", "success")
        return redirect(url_for(".detail", application_id=payment.application_id))


def _application_or_404(application_id):
    application = (
        Application.select(Application, Location).join(Location).where(Application.id == application_id).get_or_none()
    )
    return application or abort(404)


def _due_or_none(application, form):
    """What the form's choices make due; None (with the reason flashed) when they cannot apply."""
    try:
        return fees.due_for_application(
            application,
            exemption=form.exemption.data or "",
            exemption_note=form.exemption_note.data or "",
            with_certificate=form.with_certificate.data,
        )
    except FeeError as error:
        flash(error.message, "error")
        return None


def _reservations_of(application):
    return list(
        Reservation.select(Reservation, Slot, Location)
        .join(Slot)
        .join(Location)
        .where(Reservation.kana_key == application.kana_key, Reservation.birth_date == application.birth_date)
        .order_by(Slot.date.desc(), Slot.starts_at.desc())
    )
