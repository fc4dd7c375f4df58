"""A realistic demo city with fictitious people: locations, a month of slots, reservations,
cards in every stage with their history, applications, fees, announcements and staff."""

import datetime
import random

from models import (
    Announcement,
    Application,
    Card,
    CardEvent,
    FeePayment,
    Location,
    ReceiptCounter,
    Reservation,
    Slot,
    SlotRule,
    StorageLocation,
    User,
    db,
)
from rules import card_stages, settings
from rules.clock import now, today
from rules.passwords import hash_password
from rules.reservation_numbers import new_reservation_number
from rules.slots import generate_slots
from rules.staff_hours import open_around_the_clock

DEMO_PASSWORD = "kofu-demo-2026"
DEMO_USERS = (
    ("admin", "管理 太郎", "admin"),
    ("supervisor", "責任 花子", "supervisor"),
    ("clerk", "窓口 一郎", "clerk"),
    ("viewer", "閲覧 次郎", "viewer"),
)
FAMILY_NAMES = (
    ("山﨑", "ヤマサキ"),
    ("渡辺", "ワタナベ"),
    ("髙橋", "タカハシ"),
    ("安藝", "アキ"),
    ("吉田", "ヨシダ"),
    ("齋藤", "サイトウ"),
    ("山田", "ヤマダ"),
    ("岡林", "オカバヤシ"),
    ("田中", "タナカ"),
    ("島村", "シマムラ"),
    ("北川", "キタガワ"),
    ("川島", "カワシマ"),
    ("小松", "コマツ"),
    ("西内", "ニシウチ"),
    ("浜田", "ハマダ"),
)
GIVEN_NAMES = (
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("健一", "ケンイチ"),
    ("美咲", "ミサキ"),
    ("大輔", "ダイスケ"),
    ("結衣", "ユイ"),
    ("翔", "ショウ"),
    ("さくら", "サクラ"),
    ("一郎", "イチロウ"),
    ("陽菜", "ヒナ"),
    ("蓮", "レン"),
    ("葵", "アオイ"),
    ("悠真", "ユウマ"),
    ("凛", "リン"),
    ("和子", "カズコ"),
)
STREETS = ("川北甲", "穴内乙", "本町三丁目", "矢ノ丸一丁目", "伊尾木", "土居", "赤野", "井ノ口")
# How a card reached each stage, from delivery on.
STAGE_PATHS = {
    "delivered": ("delivered",),
    "inspected": ("delivered", "inspected"),
    "preset": ("delivered", "inspected", "preset"),
    "notified": ("delivered", "inspected", "preset", "notified"),
    "issued": ("delivered", "inspected", "preset", "notified", "issued"),
    "mailed": ("delivered", "inspected", "preset", "mailed"),
    "returned": ("delivered", "inspected", "preset", "notified", "returned"),
    "reminded": ("delivered", "inspected", "preset", "notified", "reminded"),
    "on_hold": ("delivered", "inspected", "on_hold"),
    "disposed": ("delivered", "inspected", "preset", "notified", "reminded", "disposed"),
}
STAGE_WEIGHTS = {
    "delivered": 25,
    "inspected": 25,
    "preset": 30,
    "notified": 70,
    "issued": 90,
    "mailed": 20,
    "returned": 8,
    "reminded": 15,
    "on_hold": 7,
    "disposed": 5,
}


def seed_demo(seed=2026, cards=300, reservations=200):
    """Fill an empty database. Returns a dict of how many rows of each kind were made."""
    rng = random.Random(seed)
    with db.atomic():
        users = _users()
        locations = _locations()
        _slots(locations)
        storages = _storages(locations)
        card_rows = [_card(rng, locations, storages, users) for _ in range(cards)]
        applications = _applications(rng, card_rows, users)
        fees = _fees(rng, applications, users)
        booked = _reservations(rng, card_rows, users, reservations)
        _announcements(users[0])
        open_around_the_clock(settings.put)  # a demo is tried at any hour, on any day
    return {
        "users": len(users),
        "locations": len(locations),
        "slots": Slot.select().count(),
        "reservations": booked,
        "cards": len(card_rows),
        "applications": len(applications),
        "fees": fees,
    }


def _users():
    password_hash = hash_password(DEMO_PASSWORD)
    return [
        User.create(login=login, name=name, role=role, password_hash=password_hash, password_changed_at=now())
        for login, name, role in DEMO_USERS
    ]


def _locations():
    main = Location.create(
        code="HONCHO",
        name="本庁 市民課",
        kind="main",
        address="安芸市矢ノ丸一丁目4番40号",
        phone="0887-35-1000",
        sort_order=1,
    )
    branch = Location.create(
        code="EAST", name="東部支所", kind="branch", address="安芸市赤野甲100番地", phone="0887-33-2000", sort_order=2
    )
    SlotRule.create(location=main, capacity=2, phone_reserved=1)
    SlotRule.create(
        location=branch,
        weekdays="1,3",
        opens_at=datetime.time(9, 0),
        closes_at=datetime.time(16, 0),
        slot_minutes=60,
        capacity=1,
        purposes="apply,collect",
    )
    return [main, branch]


def _slots(locations):
    generate_slots(today() - datetime.timedelta(days=7), today() + datetime.timedelta(days=30))


def _storages(locations):
    return [
        StorageLocation.create(
            location=location,
            code=f"{location.code}-{cabinet}{shelf}",
            cabinet=f"キャビネット{cabinet}",
            shelf=f"{shelf}段",
            box="",
            capacity=60,
        )
        for location in locations
        for cabinet in ("A", "B")
        for shelf in (1, 2, 3)
    ]


def _person(rng):
    family, family_kana = rng.choice(FAMILY_NAMES)
    given, given_kana = rng.choice(GIVEN_NAMES)
    birth = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 88))
    address = f"安芸市{rng.choice(STREETS)}{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    return {
        "name": f"{family}\u3000{given}",
        "kana": f"{family_kana}\u3000{given_kana}",
        "birth_date": birth,
        "address": address,
    }


def _notice_number(rng):
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(letters) for _ in range(3)) + "-" + f"{rng.randrange(1000000):06d}"


def _card(rng, locations, storages, users):
    stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
    person = _person(rng)
    # Cards still uncollected after months are the ones reminded, returned or disposed of.
    oldest = 260 if stage in ("reminded", "returned", "disposed") else 120
    delivered = today() - datetime.timedelta(days=rng.randint(1, oldest))
    location = rng.choice(locations)
    visit_type = "at_application" if stage == "mailed" or rng.random() < 0.15 else "at_issuance"
    card = Card.create(
        application_form_id="".join(str(rng.randrange(10)) for _ in range(23)),
        sex=rng.choice(("male", "female")),
        notice_number=_notice_number(rng),
        card_expiry=delivered.replace(year=delivered.year + 10),
        cert_expiry=delivered.replace(year=delivered.year + 5),
        visit_type=visit_type,
        issue_kind=rng.choices(("new", "renewal", "reissue"), weights=(70, 20, 10))[0],
        express=rng.random() < 0.03,
        delivered_on=delivered,
        batch=f"{delivered:%Y%m%d}-1",
        stage=stage,
        location=location,
        storage=rng.choice([s for s in storages if s.location_id == location.id]),
        **person,
    )
    _history(rng, card, stage, delivered, users)
    return card


def _history(rng, card, stage, delivered, users):
    """Walk the card through its stage path as staff would have, with the ledger's own dates."""
    at = datetime.datetime.combine(delivered, datetime.time(9, 0))
    previous = None
    for step in STAGE_PATHS[stage]:
        at = min(at + datetime.timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 6)), now())
        CardEvent.create(
            card=card,
            at=at,
            user=rng.choice(users[1:3]),
            from_stage=previous,
            to_stage=step,
            note="廃棄期限経過" if step == "disposed" else "",
        )
        previous = step
        if dates := card_stages.dates_for(step, at):
            Card.update(dates).where(Card.id == card.id).execute()


def _applications(rng, cards, users):
    methods = ("counter", "outreach", "workplace", "support")
    applications = []
    for card in cards[: len(cards) // 2]:
        method = rng.choice(methods)
        applications.append(
            Application.create(
                application_form_id=card.application_form_id,
                method=method,
                name=card.name,
                kana=card.kana,
                birth_date=card.birth_date,
                address=card.address,
                phone=f"0887-3{rng.randint(0, 9)}-{rng.randint(1000, 9999)}",
                visit_type=card.visit_type,
                issue_kind=card.issue_kind,
                reissue_cause=rng.choice(("lost", "damaged")) if card.issue_kind == "reissue" else None,
                express=card.express,
                location=card.location,
                received_by=users[2],
                received_on=card.delivered_on - datetime.timedelta(days=rng.randint(25, 45)),
                event_name="安芸市商工祭り 出張申請" if method == "outreach" else "",
                employer="安芸農業協同組合" if method == "workplace" else "",
            )
        )
        Card.update(application=applications[-1]).where(Card.id == card.id).execute()
    return applications


def _fees(rng, applications, users):
    payments = 0
    for application in applications:
        if application.issue_kind != "reissue" and not application.express:
            continue
        kinds = ("express_card", "express_cert") if application.express else ("reissue_card", "reissue_cert")
        amounts = {"express_card": 1800, "express_cert": 200, "reissue_card": 800, "reissue_cert": 200}
        fiscal_year = application.received_on.year - (1 if application.received_on.month < 4 else 0)
        counter, _ = ReceiptCounter.get_or_create(location=application.location, fiscal_year=fiscal_year)
        for kind in kinds:
            counter.last_seq += 1
            FeePayment.create(
                application=application,
                location=application.location,
                kind=kind,
                amount=amounts[kind],
                fiscal_year=fiscal_year,
                receipt_seq=counter.last_seq,
                received_by=users[2],
                paid_at=datetime.datetime.combine(application.received_on, datetime.time(10, rng.randint(0, 59))),
            )
            payments += 1
        counter.save()
    return payments


def _reservations(rng, cards, users, wanted):
    slots = list(Slot.select().order_by(Slot.date, Slot.starts_at))
    collectable = [card for card in cards if card.stage == "notified" and card.visit_type == "at_issuance"]
    made = 0
    for slot in rng.sample(slots, len(slots)):
        if made >= wanted:
            break
        free = slot.capacity - slot.booked
        if free <= 0:
            continue
        purposes = slot.purposes.split(",")
        purpose = "collect" if "collect" in purposes and collectable and rng.random() < 0.4 else rng.choice(purposes)
        card = collectable.pop() if purpose == "collect" and collectable else None
        if purpose == "collect" and card is None:
            purpose = "apply"
        person = {"name": card.name, "kana": card.kana, "birth_date": card.birth_date} if card else _person(rng)
        person.pop("address", None)
        people = 1 if card or free == 1 or rng.random() < 0.85 else 2
        status = _status(rng, slot)
        Reservation.create(
            number=new_reservation_number(),
            slot=slot,
            purpose=purpose,
            channel=rng.choices(("web", "phone", "counter"), weights=(70, 25, 5))[0],
            status=status,
            phone=f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            people=people,
            notice_number=card.notice_number if card else None,
            card=card,
            created_by=users[2] if rng.random() < 0.3 else None,
            **person,
        )
        if status != "cancelled":
            Slot.update(booked=Slot.booked + people).where(Slot.id == slot.id).execute()
        made += 1
    return made


def _status(rng, slot):
    if slot.date >= today():
        return "cancelled" if rng.random() < 0.05 else "booked"
    return rng.choices(("visited", "no_show", "cancelled"), weights=(85, 8, 7))[0]


def _announcements(author):
    start = now() - datetime.timedelta(days=1)
    Announcement.create(
        title="年末年始の窓口休業",
        audience="both",
        priority=1,
        starts_at=start,
        created_by=author,
        body="12月29日から1月3日までは、マイナンバーカードの窓口を休業します。",
    )
    Announcement.create(
        title="システムメンテナンスのお知らせ",
        audience="public",
        priority=2,
        maintenance=True,
        starts_at=start,
        created_by=author,
        body="毎月第3土曜日の翌日は、予約サイトを停止します。",
    )
    Announcement.create(
        title="カード納品(今週分)の検品をお願いします",
        audience="staff",
        priority=0,
        starts_at=start,
        created_by=author,
        body="保管場所 キャビネットA に仮置きしています。",
    )
