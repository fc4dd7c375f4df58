"""CSV抽出: the chosen columns of 来庁予約, 交付申請受付, the カード管理簿 or 手数料 over a period, for
mail merges, reports to the prefecture and checks in a spreadsheet. One query with its joins per
extraction, whatever the number of rows; coded values come out as the labels staff read."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from peewee import JOIN

from models import (
    APPLICATION_METHODS,
    CARD_STAGES,
    CHANNELS,
    FEE_KINDS,
    ISSUE_KINDS,
    PURPOSES,
    RESERVATION_STATUSES,
    SEXES,
    VISIT_TYPES,
    Application,
    Card,
    FeePayment,
    Location,
    Reservation,
    Slot,
    StorageLocation,
)
from rules.clock import on_days

MAX_ROWS = 200_000
YES_NO = {True: "はい", False: "いいえ"}


class ExtractionError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    expression: object
    labels: dict | None = None  # code → what staff read

    def shown(self, value):
        if self.labels is not None:
            return self.labels.get(value, "" if value is None else value)
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value


@dataclass(frozen=True)
class Dataset:
    label: str
    period_label: str
    period: object  # the date or date-time column the period applies to
    base_query: Callable  # the rows with the joins the columns need
    columns: tuple


def _reservations():
    return Reservation.select().join(Slot).join(Location)


def _applications():
    return Application.select().join(Location)


def _cards():
    return (
        Card.select()
        .join(Location, JOIN.LEFT_OUTER, on=(Card.location == Location.id))
        .switch(Card)
        .join(StorageLocation, JOIN.LEFT_OUTER, on=(Card.storage == StorageLocation.id))
    )


def _fees():
    return FeePayment.select().join(Location)


def _person(model):
    return (
        Column("name", "氏名", model.name),
        Column("kana", "氏名フリガナ", model.kana),
        Column("birth_date", "生年月日", model.birth_date),
    )


DATASETS = {
    "reservations": Dataset(
        "来庁予約",
        "予約日",
        Slot.date,
        _reservations,
        (
            Column("number", "予約番号", Reservation.number),
            Column("date", "予約日", Slot.date),
            Column("starts_at", "開始時刻", Slot.starts_at),
            Column("location", "場所", Location.name),
            Column("purpose", "予約種別", Reservation.purpose, dict(PURPOSES)),
            Column("channel", "受付経路", Reservation.channel, dict(CHANNELS)),
            Column("status", "状態", Reservation.status, dict(RESERVATION_STATUSES)),
            Column("people", "人数", Reservation.people),
            *_person(Reservation),
            Column("phone", "電話番号", Reservation.phone),
            Column("email", "メールアドレス", Reservation.email),
            Column("notice_number", "交付通知書番号", Reservation.notice_number),
        ),
    ),
    "applications": Dataset(
        "交付申請受付",
        "受付日",
        Application.received_on,
        _applications,
        (
            Column("application_form_id", "申請書ID", Application.application_form_id),
            Column("received_on", "受付日", Application.received_on),
            Column("location", "受付場所", Location.name),
            Column("method", "申請方法", Application.method, dict(APPLICATION_METHODS)),
            *_person(Application),
            Column("address", "住所", Application.address),
            Column("phone", "電話番号", Application.phone),
            Column("visit_type", "来庁区分", Application.visit_type, dict(VISIT_TYPES)),
            Column("issue_kind", "申請理由", Application.issue_kind, dict(ISSUE_KINDS)),
            Column("express", "特急発行", Application.express, YES_NO),
            Column("event_name", "出張先・イベント名", Application.event_name),
        ),
    ),
    "cards": Dataset(
        "カード管理簿",
        "納品日",
        Card.delivered_on,
        _cards,
        (
            Column("application_form_id", "申請書ID", Card.application_form_id),
            Column("notice_number", "交付通知書番号", Card.notice_number),
            *_person(Card),
            Column("sex", "性別", Card.sex, dict(SEXES)),
            Column("address", "住所", Card.address),
            Column("visit_type", "来庁区分", Card.visit_type, dict(VISIT_TYPES)),
            Column("issue_kind", "発行区分", Card.issue_kind, dict(ISSUE_KINDS)),
            Column("stage", "工程", Card.stage, dict(CARD_STAGES)),
            Column("delivered_on", "納品日", Card.delivered_on),
            Column("location", "交付場所", Location.name),
            Column("storage", "保管場所", StorageLocation.code),
            Column("issue_deadline", "交付期限", Card.issue_deadline),
            Column("card_expiry", "カード有効期限", Card.card_expiry),
            Column("cert_expiry", "電子証明書有効期限", Card.cert_expiry),
            Column("issued_at", "交付日時", Card.issued_at),
        ),
    ),
    "fees": Dataset(
        "手数料",
        "収納日",
        FeePayment.paid_at,
        _fees,
        (
            Column("paid_at", "収納日時", FeePayment.paid_at),
            Column("fiscal_year", "年度", FeePayment.fiscal_year),
            Column("receipt_seq", "領収番号", FeePayment.receipt_seq),
            Column("location", "場所", Location.name),
            Column("kind", "種別", FeePayment.kind, dict(FEE_KINDS)),
            Column("amount", "金額(円)", FeePayment.amount),
            Column("exemption_reason", "免除理由", FeePayment.exemption_reason),
            Column("void", "取消", FeePayment.void, YES_NO),
            Column("void_reason", "取消理由", FeePayment.void_reason),
        ),
    ),
}


@dataclass(frozen=True)
class Extraction:
    header: list
    rows: list


def extract(dataset_key, column_keys, start, end, limit=MAX_ROWS):
    """The header and rows (values as staff read them), or ExtractionError saying what is wrong."""
    dataset = DATASETS.get(dataset_key)
    if dataset is None:
        raise ExtractionError("抽出するデータを選んでください。")
    wanted = set(column_keys)
    columns = [column for column in dataset.columns if column.key in wanted]
    if not columns:
        raise ExtractionError("出力する項目を1つ以上選んでください。")
    if end < start:
        raise ExtractionError("終了日は開始日より後にしてください。")
    query = dataset.base_query().select(*(column.expression for column in columns))
    query = query.where(on_days(dataset.period, start, end)).order_by(dataset.period, dataset.columns[0].expression)
    values = list(query.limit(limit + 1).tuples())
    if len(values) > limit:
        raise ExtractionError(f"{limit:,}件を超えます。期間を分けて抽出してください。")
    rows = [[column.shown(value) for column, value in zip(columns, row, strict=True)] for row in values]
    return Extraction([column.label for column in columns], rows)
