"""保管場所: which box holds which card. Boxes are filled in the order of their code, a delivery
at a time, never beyond their capacity; and a card is found again from a scan or a name."""

import re
import unicodedata
from dataclasses import dataclass, field

from peewee import JOIN, fn

from models import Card, Location, StorageLocation, db
from rules.card_stages import CHUNK, LEAVES_STORAGE
from rules.kana import is_kana_name, kana_key
from rules.qr_payload import TAG, notice_number, parse_mncl1

FORM_ID = re.compile(r"^\d{23}$")
PERSONAL_NUMBER = re.compile(r"^\d{12}$")
FOUND_AT_MOST = 50


class StorageError(ValueError):
    """Refused; ``message`` says why in Japanese and nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BoxUse:
    box: StorageLocation
    used: int

    @property
    def free(self):
        return max(self.box.capacity - self.used, 0)

    @property
    def full(self):
        return self.used >= self.box.capacity


@dataclass
class Assignment:
    placed: dict = field(default_factory=dict)  # box label → cards put in it
    warnings: list = field(default_factory=list)

    @property
    def count(self):
        return sum(self.placed.values())


def box_uses(location_id=None, box_ids=None):
    """Every active box (or the given ones) with the number of cards in it, in code order; one query."""
    query = (
        StorageLocation.select(StorageLocation, Location, fn.COUNT(Card.id).alias("used"))
        .join(Location)
        .switch(StorageLocation)
        .join(Card, JOIN.LEFT_OUTER)
        .group_by(StorageLocation, Location)
        .order_by(StorageLocation.code)
    )
    if box_ids is not None:
        query = query.where(StorageLocation.id.in_(list(box_ids)))
    else:
        query = query.where(StorageLocation.active)
    if location_id:
        query = query.where(StorageLocation.location == location_id)
    return [BoxUse(box, box.used) for box in query]


def delivery_cards(delivered_on, batch=""):
    """The cards of one delivery still waiting for a box, in 50音 order (how the shelves are read)."""
    query = Card.select().where(
        Card.delivered_on == delivered_on, Card.storage.is_null(), Card.stage.not_in(LEAVES_STORAGE)
    )
    if batch:
        query = query.where(Card.batch == batch)
    return query.order_by(Card.kana_key, Card.birth_date, Card.id)


def assign_delivery(delivered_on, box_ids, *, batch=""):
    """Put the unboxed cards of a delivery into ``box_ids`` in code order, filling each box to its
    capacity before the next. All or nothing: refused when they do not all fit."""
    uses = box_uses(box_ids=box_ids)
    if not uses:
        raise StorageError("保管場所(箱)を選んでください。")
    locations = {use.box.location_id for use in uses}
    if len(locations) > 1:
        raise StorageError("一度に選べるのは同じ場所(本庁・支所)の箱だけです。")
    location_id = locations.pop()
    cards = [
        card.id
        for card in delivery_cards(delivered_on, batch).where(Card.location.is_null() | (Card.location == location_id))
    ]
    if not cards:
        raise StorageError("この納品日(ロット)には、保管場所が未定のカードはありません。")
    free = sum(use.free for use in uses)
    if free < len(cards):
        raise StorageError(
            f"箱の空きが足りません(カード{len(cards)}枚に対して空き{free}枚)。箱を追加して選んでください。"
        )
    assignment = Assignment()
    with db.atomic():
        for use in uses:
            taken, cards = cards[: use.free], cards[use.free :]
            if taken:
                _put(taken, use.box)
                assignment.placed[str(use.box)] = len(taken)
            if use.used + len(taken) >= use.box.capacity:
                assignment.warnings.append(f"箱 {use.box} は満杯です({use.box.capacity}枚)。")
            if not cards:
                break
    return assignment


def _put(card_ids, box):
    for start in range(0, len(card_ids), CHUNK):
        Card.update(storage=box, location=box.location_id).where(Card.id.in_(card_ids[start : start + CHUNK])).execute()


def find_cards(text):
    """「このカードはどこ?」: cards matching a scanned code, a 交付通知書番号, a 申請書ID, a kana
    name in any script or a name, with their box; at most FOUND_AT_MOST, in 50音 order."""
    condition = _search_condition(text)
    if condition is None:
        return []
    return list(
        Card.select(Card, StorageLocation, Location)
        .join(StorageLocation, JOIN.LEFT_OUTER)
        .switch(Card)
        .join(Location, JOIN.LEFT_OUTER)
        .where(condition)
        .order_by(Card.kana_key, Card.birth_date, Card.id)
        .limit(FOUND_AT_MOST)
    )


def card_from_scan(text):
    """The one card a scanned カード発行一覧表 / 交付通知書 code (or a typed number) names."""
    condition = _code_condition((text or "").strip())
    if condition is None:
        raise StorageError("QRコードか交付通知書番号・申請書IDを読み取ってください。")
    card = Card.get_or_none(condition)
    if card is None:
        raise StorageError("このカードは管理簿にありません。")
    return card


def _search_condition(text):
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    code = _code_condition(text)
    if code is not None:
        return code
    if is_kana_name(text):
        return Card.kana_key.contains(kana_key(text))
    compact = re.sub(r"\s+", "", text)
    return fn.REPLACE(Card.name, "\u3000", "").contains(compact)


def _code_condition(text):
    """The condition for a code-like text, None for anything else; refuses a 個人番号."""
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))
    if PERSONAL_NUMBER.match(digits):
        raise StorageError("個人番号では検索できません(個人番号は読み取りも記録もしません)。")
    if text.startswith(TAG + ","):
        try:
            code = parse_mncl1(text)
        except ValueError as error:
            raise StorageError(f"読み取れませんでした: {error}") from None
        return Card.application_form_id == code.application_form_id
    if FORM_ID.match(digits):
        return Card.application_form_id == digits
    try:
        return Card.notice_number == notice_number(text)
    except ValueError:
        return None
