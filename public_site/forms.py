"""Residents' forms. Field checks call the booking rules, so the site, the API and the staff
screens give the same Japanese messages."""

import datetime
import re
import unicodedata

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from base_form import KofuForm
from rules import booking, settings
from rules.clock import today

DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def parse_date_text(text):
    """A date typed as 1980-04-01, 1980/4/1, 1980年4月1日 or 19800401 (full width too), or None."""
    compact = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    for pattern in DATE_PATTERNS:
        match = pattern.match(compact)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


class DateTextField(StringField):
    """A date the resident types; ``data`` is a date, or None when it cannot be read."""

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = parse_date_text(self.raw_text)

    def _value(self):
        if self.data:
            return self.data.isoformat()
        return getattr(self, "raw_text", "")


def _rule_check(check, *args):
    """Run a booking field check and turn its refusal into a form error."""
    try:
        return check(*args)
    except booking.BookingError as error:
        raise ValidationError(error.message) from None


def _check_birth_date(field):
    if field.data is None:
        if getattr(field, "raw_text", ""):
            raise ValidationError("生年月日は「1980-04-01」の形で、正しい日付を入力してください。")
        raise ValidationError("生年月日を入力してください。")
    _rule_check(booking.clean_birth_date, field.data, today())


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_people(field):
    return _rule_check(booking.clean_people, field.data)


def people_choices():
    return [SelectChoice(str(n), f"{n}人") for n in range(1, settings.get("booking_max_people") + 1)]


class DetailsForm(KofuForm):
    """The resident's details for one booking; the chosen purpose and slot travel as hidden fields."""

    purpose = HiddenField()
    slot = HiddenField()
    name = StringField("氏名(漢字)", render_kw={"maxlength": 100, "autocomplete": "name"})
    kana = StringField("フリガナ", render_kw={"maxlength": 100})
    birth_date = DateTextField("生年月日", render_kw={"type": "date", "autocomplete": "bday"})
    phone = StringField("電話番号", render_kw={"type": "tel", "maxlength": 20, "autocomplete": "tel"})
    email = StringField("メールアドレス", render_kw={"type": "email", "maxlength": 254, "autocomplete": "email"})
    people = SelectField("来庁する人数", coerce=_int_or_none, default=1, validate_choice=False)
    notice_number = StringField("交付通知書番号", render_kw={"maxlength": 20, "autocomplete": "off"})
    consent = BooleanField("個人情報の取扱いに同意します")
    website = StringField("ホームページ(入力しないでください)", render_kw={"tabindex": "-1", "autocomplete": "off"})
    submission_token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.people.choices = people_choices()

    def validate_purpose(self, field):
        _rule_check(booking.clean_purpose, field.data)

    def validate_name(self, field):
        field.data = _rule_check(booking.clean_name, field.data)

    def validate_kana(self, field):
        field.data = _rule_check(booking.clean_kana, field.data)

    def validate_birth_date(self, field):
        _check_birth_date(field)

    def validate_people(self, field):
        _check_people(field)

    def validate_phone(self, field):
        field.data = _rule_check(booking.clean_phone, field.data)

    def validate_email(self, field):
        field.data = _rule_check(booking.clean_email, field.data)

    def validate_notice_number(self, field):
        if self.purpose.data == "collect":
            field.data = _rule_check(booking.clean_notice_number, field.data)

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError("個人情報の取扱いに同意いただける場合は、チェックを入れてください。")

    def validate_submission_token(self, field):
        if field.data and not TOKEN.match(field.data):
            raise ValidationError("送信内容が正しくありません。お手数ですが、最初からやり直してください。")

    def is_bot(self):
        """Only a program fills the hidden ホームページ field."""
        return bool(self.website.data)

    def applicant(self):
        return booking.Applicant(
            name=self.name.data,
            kana=self.kana.data,
            birth_date=self.birth_date.data,
            phone=self.phone.data,
            email=self.email.data,
            people=self.people.data,
            notice_number=self.notice_number.data if self.purpose.data == "collect" else "",
        )


class LookupForm(KofuForm):
    number = StringField("予約番号", render_kw={"maxlength": 20, "autocomplete": "off"})
    birth_date = DateTextField("生年月日", render_kw={"type": "date", "autocomplete": "bday"})

    def validate_number(self, field):
        if not (field.data or "").strip():
            raise ValidationError("予約番号を入力してください。")
        if len(field.data) > 20:
            raise ValidationError("予約番号は「ABCD-2345」の形の8文字です。")

    def validate_birth_date(self, field):
        _check_birth_date(field)


class ChangeForm(KofuForm):
    slot = HiddenField()
    people = SelectField("来庁する人数", coerce=_int_or_none, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.people.choices = people_choices()

    def validate_people(self, field):
        _check_people(field)


class TokenOnlyForm(KofuForm):
    """Only the CSRF token: cancelling or ending a look-up acts on the booking the session names."""
