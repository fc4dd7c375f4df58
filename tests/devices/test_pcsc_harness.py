"""The virtual マイナンバーカード harness, proved with raw APDUs through the real pcscd and pyscard."""

import contextlib
import datetime

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException
from smartcard.System import readers

from tests.devices.virtual_card import (
    EF_FACE_DATA,
    EF_KENMEN_HOJO_PIN,
    EF_KENMEN_PIN,
    EF_MY_NUMBER,
    EF_USER_CERTIFICATE,
    JPKI_AP,
    KENMEN_AP,
    KENMEN_HOJO_AP,
    PCSCD_GROUP,
    VirtualMyNumberCard,
)

pytestmark = PCSCD_GROUP

OK = 0x9000
SECURITY_NOT_SATISFIED = 0x6982


@contextlib.contextmanager
def connected(reader_name):
    """A T=1 pyscard connection to the card in ``reader_name``, released afterwards."""
    (reader,) = [reader for reader in readers() if str(reader) == reader_name]
    connection = reader.createConnection()
    try:
        connection.connect(CardConnection.T1_protocol)
        yield connection
    finally:
        connection.release()


def transmit(connection, command):
    """Send one APDU; the response data and the status word as one number (0x9000)."""
    data, sw1, sw2 = connection.transmit(list(command))
    return bytes(data), (sw1 << 8) | sw2


def select_application(connection, aid):
    return transmit(connection, bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid)[1]


def select_file(connection, fid):
    return transmit(connection, bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + fid)[1]


def verify(connection, pin=None):
    header = bytes([0x00, 0x20, 0x00, 0x80])
    command = header if pin is None else header + bytes([len(pin)]) + pin.encode("ascii")
    return transmit(connection, command)[1]


def read_binary(connection, offset, length):
    return transmit(connection, bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, length & 0xFF]))


def read_whole_ef(connection):
    """The current EF in 256-byte chunks, until the card says the offset is past its end."""
    content = b""
    while True:
        chunk, status = read_binary(connection, len(content), 256)
        if status != OK:
            return content
        content += chunk


def parse_tlvs(data):
    """BER-TLV with two-byte tags (as every tag on this card is) into {tag: value}."""
    fields = {}
    position = 0
    while position < len(data):
        tag = data[position : position + 2]
        length, position = _ber_length(data, position + 2)
        fields[tag] = data[position : position + length]
        position += length
    return fields


def _ber_length(data, position):
    first = data[position]
    if first < 0x80:
        return first, position + 1
    size = first & 0x7F
    return int.from_bytes(data[position + 1 : position + 1 + size], "big"), position + 1 + size


def read_kenmen_hojo_fields(connection, card):
    assert select_application(connection, KENMEN_HOJO_AP) == OK
    assert select_file(connection, EF_KENMEN_HOJO_PIN) == OK
    assert verify(connection, card.verification_b()) == OK
    assert select_file(connection, EF_FACE_DATA) == OK
    return parse_tlvs(parse_tlvs(read_whole_ef(connection))[b"\xff\x20"])


def test_jpki_certificate_reads_as_der_with_the_cards_not_after(card_slot):
    """Does a card inserted into the virtual reader answer SELECT of the JPKI AP and give a DER certificate?"""
    card = VirtualMyNumberCard(certificate_not_after=datetime.datetime(2029, 3, 31, 14, 59, 59, tzinfo=datetime.UTC))
    card_slot.insert(card)
    with connected(card_slot.reader_name) as connection:
        assert select_application(connection, JPKI_AP) == OK
        assert select_file(connection, EF_USER_CERTIFICATE) == OK
        certificate = x509.load_der_x509_certificate(read_whole_ef(connection))
    assert certificate.not_valid_after_utc == card.certificate_not_after
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "JPKI virtual"


def test_verify_counts_down_on_a_wrong_pin_and_a_right_one_restores_it(card_slot):
    """Does VERIFY answer 63 C3, then 63 C2 for a wrong 照合番号B, then 90 00 for the right one?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    with connected(card_slot.reader_name) as connection:
        assert select_application(connection, KENMEN_HOJO_AP) == OK
        assert select_file(connection, EF_KENMEN_HOJO_PIN) == OK
        assert verify(connection) == 0x63C3
        assert verify(connection, "85040120331111") == 0x63C2
        assert verify(connection, card.verification_b()) == OK
        assert verify(connection) == 0x63C3
    assert card.verification_b() == "85040120331234"


def test_protected_ef_refuses_to_be_read_before_verify(card_slot):
    """Does READ BINARY of the 券面事項入力補助AP's EF 0002 answer 69 82 until 照合番号B is verified?"""
    card_slot.insert(VirtualMyNumberCard())
    with connected(card_slot.reader_name) as connection:
        assert select_application(connection, KENMEN_HOJO_AP) == OK
        assert select_file(connection, EF_FACE_DATA) == OK
        assert read_binary(connection, 0, 256) == (b"", SECURITY_NOT_SATISFIED)


def test_kenmen_hojo_fields_read_after_verify(card_slot):
    """Does the 券面事項入力補助AP give name, address, birth date and sex as UTF-8 TLVs after VERIFY?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    with connected(card_slot.reader_name) as connection:
        fields = read_kenmen_hojo_fields(connection, card)
    assert fields[b"\xdf\x22"].decode() == "山﨑　太郎"
    assert fields[b"\xdf\x23"].decode() == "高知県安芸市矢ノ丸一丁目4番40号"
    assert fields[b"\xdf\x24"] == b"19850401"
    assert fields[b"\xdf\x25"] == b"1"
    assert not card.selected_ef_0001


def test_kenmen_expiry_sits_behind_a_photo_that_takes_several_reads(card_slot):
    """Does the 券面AP's EF 0002 need several READ BINARY chunks before its DF 29 expiry date?"""
    card = VirtualMyNumberCard(card_expires_on=datetime.date(2031, 12, 24))
    card_slot.insert(card)
    with connected(card_slot.reader_name) as connection:
        assert select_application(connection, KENMEN_AP) == OK
        assert select_file(connection, EF_KENMEN_PIN) == OK
        assert verify(connection, card.verification_b()) == OK
        assert select_file(connection, EF_FACE_DATA) == OK
        content = read_whole_ef(connection)
    assert len(content) > 10 * 256
    assert parse_tlvs(parse_tlvs(content)[b"\xff\x20"])[b"\xdf\x29"] == b"20311224"


def test_card_records_a_selection_of_the_my_number_ef(card_slot):
    """Does the card record a SELECT of EF 0001 (個人番号) so that a test can catch a reader that makes one?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    with connected(card_slot.reader_name) as connection:
        assert select_application(connection, KENMEN_AP) == OK
        assert not card.selected_ef_0001
        assert select_file(connection, EF_MY_NUMBER) == OK
    assert card.selected_ef_0001


def test_removed_card_can_be_inserted_again(card_slot):
    """Does pcscd see a card removed (the connection fails) and then inserted again into the same slot?"""
    card = VirtualMyNumberCard()
    card_slot.insert(card)
    with connected(card_slot.reader_name) as connection:
        assert select_application(connection, JPKI_AP) == OK
        card_slot.remove()
        with pytest.raises(CardConnectionException):
            select_application(connection, JPKI_AP)
    card_slot.insert(card)
    with connected(card_slot.reader_name) as connection:
        assert select_application(connection, JPKI_AP) == OK


def test_swapped_card_shows_its_own_data(card_slot):
    """After one card is swapped for another, does the reader see the second card's name?"""
    first = VirtualMyNumberCard()
    second = VirtualMyNumberCard(name="安芸　花子", birth_date=datetime.date(1990, 12, 31), sex="2")
    names = []
    for card in (first, second):
        card_slot.insert(card)
        with connected(card_slot.reader_name) as connection:
            names.append(read_kenmen_hojo_fields(connection, card)[b"\xdf\x22"].decode())
        card_slot.remove()
    assert names == ["山﨑　太郎", "安芸　花子"]
