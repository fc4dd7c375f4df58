"""The card reader code against a virtual マイナンバーカード, through the real pcscd and vpcd."""

import datetime
import os
import subprocess
import sys
import threading

import pytest

from devices.card_reader import NO_CARD, NO_READER, NO_SERVICE, read_card, wait_for_new_card
from devices.mynumber_card import CardError, CardFace
from tests.devices.virtual_card import EF_USER_CERTIFICATE, JPKI_AP, PCSCD_GROUP, VirtualMyNumberCard

pytestmark = PCSCD_GROUP

VERIFY_WITH_DATA = bytes.fromhex("00200080")


def _verifies_sent(card):
    return [command for command in card.commands if command[:4] == VERIFY_WITH_DATA and len(command) > 4]


def _read_offsets(card):
    return [int.from_bytes(command[2:4], "big") for command in card.commands if command[1] == 0xB0]


def test_certificate_expiry_is_read_without_any_pin(card_slot, pcsc_reader):
    """Does a card give its certificate's expiry with no PIN, no VERIFY and no look at EF 0001?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    reading = read_card(reader_name=pcsc_reader)
    assert reading.cert_expiry == datetime.date(2030, 4, 1) and reading.face is None
    assert not card.selected_ef_0001 and _verifies_sent(card) == []


def test_certificate_expiry_is_the_day_in_japan(card_slot, pcsc_reader):
    """Is a notAfter of 15:00 UTC, midnight in Japan, the next day's date?"""
    not_after = datetime.datetime(2030, 3, 31, 15, 0, 0, tzinfo=datetime.UTC)
    card_slot.insert(VirtualMyNumberCard(certificate_not_after=not_after))
    assert read_card(reader_name=pcsc_reader).cert_expiry == datetime.date(2030, 4, 1)


def test_card_face_is_read_with_verification_b(card_slot, pcsc_reader):
    """With 照合番号B, is the card face read, long files in 256-byte chunks, EF 0001 never selected?"""
    card = VirtualMyNumberCard(sex="2")
    card_slot.insert(card)
    reading = read_card(card.verification_b(), pcsc_reader)
    assert reading.face == CardFace(
        name="山﨑　太郎",
        address="高知県安芸市矢ノ丸一丁目4番40号",
        birth_date=datetime.date(1985, 4, 1),
        sex="female",
        card_expiry=datetime.date(2033, 4, 1),
    )
    assert reading.cert_expiry == datetime.date(2030, 4, 1)
    assert not card.selected_ef_0001
    assert len(_verifies_sent(card)) == 2 and {5, 5 + 256, 5 + 512} <= set(_read_offsets(card))


def test_a_wrong_verification_b_says_how_many_tries_are_left(card_slot, pcsc_reader):
    """Does a wrong 照合番号B stop the read with the tries the card has left?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    with pytest.raises(CardError, match="照合番号Bが違います.*残り2回"):
        read_card("85040120339999", pcsc_reader)
    assert card.tries_left == 2


def test_a_card_with_one_try_left_is_never_verified(card_slot, pcsc_reader):
    """With one try left, is the read refused before any VERIFY that could lock the card?"""
    card = VirtualMyNumberCard(tries_left=1)
    card_slot.insert(card)
    with pytest.raises(CardError, match="残り試行回数が1回"):
        read_card(card.verification_b(), pcsc_reader)
    assert _verifies_sent(card) == [] and card.tries_left == 1


def test_a_locked_card_is_reported_as_locked(card_slot, pcsc_reader):
    """Does a card whose 照合番号B is locked say so, and where the resident can have it reset?"""
    card = VirtualMyNumberCard(tries_left=0)
    card_slot.insert(card)
    with pytest.raises(CardError, match="ロックされています"):
        read_card(card.verification_b(), pcsc_reader)


def test_an_empty_reader_and_an_unknown_reader_are_told_apart(card_slot, pcsc_reader):
    """Is "no card on the reader" a different message from "no such reader"?"""
    with pytest.raises(CardError) as empty:
        read_card(reader_name=pcsc_reader)
    with pytest.raises(CardError) as unknown:
        read_card(reader_name="存在しないリーダー")
    assert (empty.value.message, unknown.value.message) == (NO_CARD, NO_READER)


def test_a_swapped_card_is_read_afresh(card_slot, pcsc_reader):
    """After one card is taken off and another put on, is the second card's data read?"""
    card_slot.insert(VirtualMyNumberCard())
    read_card(reader_name=pcsc_reader)
    card_slot.remove()
    later = datetime.datetime(2031, 6, 30, 14, 59, 59, tzinfo=datetime.UTC)
    card_slot.insert(VirtualMyNumberCard(certificate_not_after=later))
    assert read_card(reader_name=pcsc_reader).cert_expiry == datetime.date(2031, 6, 30)


def test_waiting_ignores_a_card_already_there_and_sees_one_put_on(card_slot, pcsc_reader):
    """Does continuous reading wait for a card newly put on the reader, not the one already lying there?"""
    card_slot.insert(VirtualMyNumberCard())
    assert wait_for_new_card(1.5, pcsc_reader) is False
    card_slot.remove()
    putting_on = threading.Timer(0.5, card_slot.insert, args=(VirtualMyNumberCard(),))
    putting_on.start()
    try:
        assert wait_for_new_card(10, pcsc_reader) is True
    finally:
        putting_on.join()


def test_without_pcscd_the_clerk_is_told_to_check_the_service(tmp_path):
    """With no pcscd to talk to, do reading and waiting both say to check the reader service?"""
    script = (
        "from devices.card_reader import read_card, wait_for_new_card\n"
        "from devices.mynumber_card import CardError\n"
        "for attempt in (read_card, lambda: wait_for_new_card(1)):\n"
        "    try:\n"
        "        attempt()\n"
        "    except CardError as error:\n"
        "        print(error.message)\n"
    )
    environment = {**os.environ, "PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm")}
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [NO_SERVICE, NO_SERVICE]


@pytest.mark.parametrize("certificate_file", ["missing", b"", b"\xff" * 64], ids=["missing", "empty", "blank"])
def test_a_card_without_a_certificate_reads_as_none(card_slot, pcsc_reader, certificate_file):
    """Does a card whose 利用者証明用電子証明書 is missing, empty or blank read as having none, not as an error?"""
    card = VirtualMyNumberCard()
    files = card.applications[JPKI_AP].files
    if certificate_file == "missing":
        del files[EF_USER_CERTIFICATE]
    else:
        files[EF_USER_CERTIFICATE] = certificate_file
    card_slot.insert(card)
    assert read_card(reader_name=pcsc_reader).cert_expiry is None


def test_another_kind_of_card_is_named_as_such(card_slot, pcsc_reader):
    """Is a card without the JPKI application (another IC card on the reader) refused as not a マイナンバーカード?"""
    card = VirtualMyNumberCard()
    del card.applications[JPKI_AP]
    card_slot.insert(card)
    with pytest.raises(CardError, match="マイナンバーカードではない"):
        read_card(reader_name=pcsc_reader)
