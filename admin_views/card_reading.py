"""カード読取: the card on the counter's reader — the certificate expiry without any PIN, the card
face with 照合番号B — set beside the ledger, whose address and expiry dates the clerk can update
from it; and continuous reading of certificate expiries, one card after another.

照合番号B is used for the one reading and then forgotten: it is never put back into the page,
stored or logged. The reading itself goes to the 反映 button signed, so what is copied into the
ledger is what the card said."""

import json

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_admin import expose
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import PasswordField, StringField

import audit
from admin_views.base import StaffPage
from base_form import KofuForm
from devices import card_reader
from devices.mynumber_card import CardError, CardReading, VerificationError, verification_b
from models import CARD_STAGES, Card, db
from rules import card_reading, settings
from rules.clock import now, today
from rules.wareki import era_date

READING_MAX_AGE = 15 * 60
NEXT_CARD_WAIT_SECONDS = 20
STAGE_LABELS = dict(CARD_STAGES)
STALE_READING = "読み取った内容の有効期限が切れたか、管理簿のカードと一致しません。もう一度読み取ってください。"
FROM_TERMINAL = "(窓口端末のカードリーダー)"
LEDGER_MATCHES = "管理簿はカードの内容と一致しています。"
DIGITS = {"inputmode": "numeric", "autocomplete": "off"}


class VerificationForm(KofuForm):
    birth_yymmdd = StringField("生年月日(YYMMDD)", render_kw={**DIGITS, "maxlength": 6, "placeholder": "例: 850401"})
    expiry_year = StringField("有効期限の西暦年", render_kw={**DIGITS, "maxlength": 4, "placeholder": "例: 2033"})
    security_code = PasswordField("セキュリティコード(4桁)", render_kw={**DIGITS, "maxlength": 4})


class CardReadingPage(StaffPage):
    min_role = "clerk"

    @expose("/")
    def index(self):
        return self._render(VerificationForm(formdata=None))

    @expose("/", methods=("POST",))
    def read(self):
        form = VerificationForm()
        with_face = request.form.get("read") == "face"
        try:
            verification_b = _verification_b(form) if with_face else None
            reading = card_reader.read_card(verification_b, current_app.config["CARD_READER"])
        except VerificationError as error:
            getattr(form, error.field).errors = [error.message]
            return self._render(form)
        except CardError as error:
            audit.record("card_read_failed", model="Card", detail=error.message)
            flash(error.message, "error")
            return self._render(VerificationForm(formdata=None))
        return self._show(reading, "")

    @expose("/terminal", methods=("POST",))
    def terminal(self):
        """A reading the counter PC's card agent made, handed over by the page's script."""
        try:
            reading = _reading_from_terminal()
        except ValueError as error:
            flash(str(error), "error")
            return self._render(VerificationForm(formdata=None))
        return self._show(reading, FROM_TERMINAL)

    def _show(self, reading, source):
        cards = card_reading.matching_cards(reading.face) if reading.face else []
        audit.record(
            "card_read",
            model="Card",
            object_id=",".join(str(card.id) for card in cards),
            detail=("券面事項・電子証明書の有効期限" if reading.face else "電子証明書の有効期限") + source,
        )
        return self._render(VerificationForm(formdata=None), reading=reading, cards=cards)

    @expose("/apply/<int:card_id>", methods=("POST",))
    def apply(self, card_id):
        reading = _unsigned_reading(request.form.get("reading", ""))
        card = Card.get_or_none(Card.id == card_id) or abort(404)
        if reading is None or reading.face is None or card not in card_reading.matching_cards(reading.face):
            flash(STALE_READING, "error")
            return redirect(url_for(".index"))
        with db.atomic():
            changes = card_reading.copy_to_ledger(card, reading)
            if changes:
                audit.record("update", model="Card", object_id=card.id, changes=changes, detail="カード読取から反映")
        flash("カードの内容を管理簿に反映しました。" if changes else LEDGER_MATCHES, "success")
        return redirect(url_for("card_detail.detail", card_id=card.id))

    @expose("/next", methods=("POST",))
    def next_card(self):
        """Continuous reading: wait for the next card put on the reader, read its certificate."""
        reader_name = current_app.config["CARD_READER"]
        try:
            if not card_reader.wait_for_new_card(NEXT_CARD_WAIT_SECONDS, reader_name):
                return jsonify(status="waiting")
            reading = card_reader.read_card(None, reader_name)
        except CardError as error:
            return jsonify(status="error", message=error.message)
        return _watch_row(reading, "")

    @expose("/terminal_row", methods=("POST",))
    def terminal_row(self):
        """Continuous reading through the card agent: the row for a reading the agent made."""
        try:
            reading = _reading_from_terminal()
        except ValueError as error:
            return jsonify(status="error", message=str(error))
        return _watch_row(reading, FROM_TERMINAL)

    def _render(self, form, reading=None, cards=()):
        agent_url = settings.get("card_reader_agent_url").rstrip("/")
        if agent_url:
            g.connect_sources = (agent_url,)
        return self.render(
            "admin/card_reading.html",
            form=form,
            agent_url=agent_url,
            wait_seconds=NEXT_CARD_WAIT_SECONDS,
            reading=reading,
            signed_reading=_signed(reading) if reading and reading.face else "",
            cards=[(card, card_reading.differences(card, reading)) for card in cards],
            **_helpers(),
        )


def _watch_row(reading, source):
    audit.record("card_read", model="Card", detail="連続読取: 電子証明書の有効期限" + source)
    row = render_template("admin/card_watch_row.html", reading=reading, at=now(), **_helpers())
    return jsonify(status="read", html=row)


def _reading_from_terminal():
    try:
        values = json.loads(request.form.get("reading", ""))
    except ValueError as error:
        raise ValueError("読み取り結果を受け取れませんでした。もう一度読み取ってください。") from error
    return CardReading.from_dict(values)


def _verification_b(form):
    return verification_b(form.birth_yymmdd.data, form.expiry_year.data, form.security_code.data)


def _helpers():
    return {
        "wareki": era_date,
        "renewal": lambda expiry: card_reading.renewal_status(expiry, today()),
        "stage_labels": STAGE_LABELS,
        "sex_labels": card_reading.SEX_LABELS,
    }


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="kofu-card-reading")


def _signed(reading):
    return _serializer().dumps(reading.as_dict())


def _unsigned_reading(token):
    try:
        return CardReading.from_dict(_serializer().loads(token, max_age=READING_MAX_AGE))
    except BadSignature:
        return None
