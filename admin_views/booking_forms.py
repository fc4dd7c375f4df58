"""The staff booking form. Fields only: the booking rules check and normalise every value."""

import secrets

from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from base_form import KofuForm

STAFF_CHANNELS = [SelectChoice("phone", "電話"), SelectChoice("counter", "窓口")]


class StaffBookingForm(KofuForm):
    slot_id = HiddenField()
    purpose = HiddenField()
    submission_token = HiddenField(default=lambda: secrets.token_urlsafe(24))
    channel = SelectField("受付経路", choices=STAFF_CHANNELS, default="phone")
    name = StringField("氏名", validators=[InputRequired("氏名を入力してください。"), Length(max=100)])
    kana = StringField("フリガナ", validators=[InputRequired("フリガナを入力してください。"), Length(max=100)])
    birth_date = DateField(
        "生年月日", validators=[InputRequired("生年月日を入力してください。")], render_kw={"max": "9999-12-31"}
    )
    phone = StringField("電話番号", validators=[Optional(), Length(max=20)])
    email = StringField("メールアドレス", validators=[Optional(), Length(max=254)])
    people = IntegerField("人数", default=1, validators=[InputRequired("人数を入力してください。"), NumberRange(min=1)])
    notice_number = StringField("交付通知書番号", validators=[Optional(), Length(max=20)])
    note = TextAreaField("備考", validators=[Optional(), Length(max=1000)])
    override = BooleanField("上の警告を確認したうえで登録する")


class StaffChangeForm(KofuForm):
    """Moving a booking to another slot (and/or another number of people)."""

    slot_id = HiddenField()
    people = IntegerField("人数", validators=[InputRequired("人数を入力してください。"), NumberRange(min=1)])
    override = BooleanField("上の警告を確認したうえで変更する")
