"""照合番号B and the reading's plain form: the parts of the card protocol that need no card."""

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from devices.mynumber_card import CardFace, CardReading, VerificationError, verification_b


def test_verification_b_joins_the_three_parts_and_accepts_full_width_digits():
    """Is 照合番号B the birth YYMMDD, the expiry year and the security code, typed in either width?"""
    assert verification_b("８５０４０１", " 2033 ", "１２３４") == "85040120331234"


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        (("85041", "2033", "1234"), "birth_yymmdd"),
        (("850231", "2033", "1234"), "birth_yymmdd"),
        (("850401", "33", "1234"), "expiry_year"),
        (("850401", "1999", "1234"), "expiry_year"),
        (("850401", "2033", "12a4"), "security_code"),
        (("850401", "2033", ""), "security_code"),
    ],
)
def test_verification_b_names_the_part_that_cannot_be_right(parts, field):
    """Is a 照合番号B part that cannot be right refused, naming its field, before the card is asked?"""
    with pytest.raises(VerificationError) as refused:
        verification_b(*parts)
    assert refused.value.field == field and refused.value.message


def test_a_reading_survives_its_plain_form():
    """Does a reading come back from its JSON form as it was, a card without a certificate included?"""
    face = CardFace("山﨑　太郎", "高知県安芸市", datetime.date(1985, 4, 1), None, datetime.date(2033, 4, 1))
    for reading in (CardReading(datetime.date(2030, 4, 1), face), CardReading(None, None)):
        assert CardReading.from_dict(reading.as_dict()) == reading


def test_the_agent_needs_neither_the_database_nor_the_web_app():
    """Does the card agent import without peewee, pandas or kofu's models, as on a counter PC?"""
    blocked = "import sys\nfor name in ('peewee', 'pandas', 'models', 'rules'):\n    sys.modules[name] = None\n"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", blocked + "import devices.agent\n"], check=True, cwd=root)
