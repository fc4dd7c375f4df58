"""What a card read at the counter means for the ledger: the ledger cards of the person on the
card, what differs between them, copying the card's address and expiry dates into the ledger,
and where the certificate stands for renewal."""

import datetime
import unicodedata
from dataclasses import dataclass

from models import SEXES, Card
from rules.card_stages import add_months

RENEWAL_OPENS_MONTHS_BEFORE = 3
SEX_LABELS = dict(SEXES)


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    in_ledger: object
    on_card: object


def matching_cards(face):
    """The ledger cards of the person on the card: same birth date and the same name once spaces
    are ignored."""
    wanted = _name_key(face.name)
    same_birth = Card.select().where(Card.birth_date == face.birth_date).order_by(Card.id.desc())
    return [card for card in same_birth if _name_key(card.name) == wanted]


def _name_key(name):
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def differences(card, reading):
    """What the card says that the ledger does not (a value the card lacks is never a difference)."""
    return [
        Difference(field, label, getattr(card, field), value)
        for field, label, value in _card_values(reading)
        if value is not None and getattr(card, field) != value
    ]


def copy_to_ledger(card, reading):
    """Write the card's values into the ledger card; the changes as the audit log keeps them."""
    found = differences(card, reading)
    for difference in found:
        setattr(card, difference.field, difference.on_card)
    if found:
        card.save()
    return {difference.field: [_plain(difference.in_ledger), _plain(difference.on_card)] for difference in found}


def _card_values(reading):
    face = reading.face
    return (
        ("address", "住所", face.address if face else None),
        ("sex", "性別", face.sex if face else None),
        ("card_expiry", "カード有効期限", face.card_expiry if face else None),
        ("cert_expiry", "電子証明書有効期限", reading.cert_expiry),
    )


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def renewal_status(expiry, today):
    """("expired" | "renewable" | "valid", days left) for a certificate or card expiring on
    ``expiry``: renewal opens three months before the expiry."""
    days_left = (expiry - today).days
    if days_left < 0:
        return "expired", days_left
    if today >= add_months(expiry, -RENEWAL_OPENS_MONTHS_BEFORE):
        return "renewable", days_left
    return "valid", days_left
