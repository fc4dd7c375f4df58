"""A virtual マイナンバーカード served to pcscd through the vsmartcard vpcd driver.

vpcd listens on a TCP port; the card connects to it as a client (connected = inserted,
disconnected = removed). Every message both ways is a 2-byte big-endian length and a payload.
From vpcd a 1-byte payload is a control message (power off, power on, reset, get ATR);
anything longer is a command APDU answered with response data + SW1 SW2.
"""

import datetime
import functools
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from smartcard import scard

# Mark every test module that talks to pcscd with this (``pytestmark = PCSCD_GROUP``): the suite
# runs under ``pytest -n 2 --dist loadgroup`` and only one worker may own the pcscd process.
# tests/devices/conftest.py also adds it to any test that uses the pcscd fixtures.
PCSCD_GROUP = pytest.mark.xdist_group("pcscd")

VPCD_PORT = 35963

JPKI_AP = bytes.fromhex("D392F000260100000001")
KENMEN_HOJO_AP = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
KENMEN_AP = bytes.fromhex("D3921000310001010402")  # 券面AP

EF_MY_NUMBER = bytes.fromhex("0001")
EF_FACE_DATA = bytes.fromhex("0002")
EF_USER_CERTIFICATE = bytes.fromhex("000A")
EF_KENMEN_PIN = bytes.fromhex("0012")
EF_KENMEN_HOJO_PIN = bytes.fromhex("0015")

MAX_TRIES = 3
PHOTO_FILLER_BYTES = 3000


def _with_tck(atr_without_tck):
    """An ATR that announces T=1 must end in TCK, the XOR of every byte after TS."""
    return atr_without_tck + bytes([functools.reduce(lambda a, b: a ^ b, atr_without_tck[1:], 0)])


# How a PC/SC reader presents an ISO 14443 type B card (PC/SC part 3): T=0 then T=1 announced,
# 8 historical bytes from ATQB (application data, protocol info, MBLI). pcscd picks T=1.
ATR = _with_tck(bytes.fromhex("3B 88 80 01 00 00 00 00 77 81 81 00"))

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_INCOMPATIBLE_FILE = b"\x69\x81"
SW_SECURITY_NOT_SATISFIED = b"\x69\x82"
SW_BLOCKED = b"\x69\x84"
SW_NO_CURRENT_EF = b"\x69\x86"
SW_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1_P2 = b"\x6a\x86"
SW_OFFSET_OUTSIDE_EF = b"\x6b\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"
SW_CARD_ERROR = b"\x6f\x00"

INS_SELECT = 0xA4
INS_VERIFY = 0x20
INS_READ_BINARY = 0xB0

CONTROL_POWER_OFF = 0x00
CONTROL_POWER_ON = 0x01
CONTROL_RESET = 0x02
CONTROL_GET_ATR = 0x04


def tlv(tag, value):
    """One BER-TLV: tag bytes, definite length (short form, 81 xx or 82 xx xx), value."""
    length = len(value)
    if length < 0x80:
        encoded_length = bytes([length])
    elif length <= 0xFF:
        encoded_length = bytes([0x81, length])
    else:
        encoded_length = bytes([0x82]) + length.to_bytes(2, "big")
    return tag + encoded_length + value


@functools.cache
def _jpki_key():
    """One RSA key for every virtual card: generating a 2048-bit key per card would be slow."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def user_certificate_der(not_after):
    """A self-signed stand-in for the 利用者証明用電子証明書, valid until ``not_after``."""
    key = _jpki_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "JPKI virtual")])
    not_before = not_after - datetime.timedelta(days=5 * 365)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


@dataclass
class Application:
    """One AP: its EFs by FID, the PIN EF that unlocks it, and the EFs that need that PIN."""

    files: dict
    pin_ef: bytes | None = None
    protected: frozenset = frozenset()


@dataclass
class Apdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes | None  # None when Lc is absent
    le: int | None  # None when Le is absent; 0 stands for 256


def parse_short_apdu(command):
    """Split a short APDU into its parts, or None when its length fits no ISO 7816-4 case."""
    cla, ins, p1, p2 = command[:4]
    body = command[4:]
    if not body:
        return Apdu(cla, ins, p1, p2, None, None)
    if len(body) == 1:
        return Apdu(cla, ins, p1, p2, None, body[0])
    lc = body[0]
    if lc == 0:
        return None
    if len(body) == 1 + lc:
        return Apdu(cla, ins, p1, p2, body[1:], None)
    if len(body) == 2 + lc:
        return Apdu(cla, ins, p1, p2, body[1 : 1 + lc], body[-1])
    return None


def _selects_file(command, fid):
    """Whether ``command`` is a SELECT of EF ``fid`` by file identifier, well-formed or not."""
    apdu = parse_short_apdu(command) if len(command) >= 4 else None
    return apdu is not None and apdu.ins == INS_SELECT and apdu.p1 == 0x02 and apdu.data == fid


@dataclass
class VirtualMyNumberCard:
    """A マイナンバーカード with the JPKI AP, the 券面事項入力補助AP and the 券面AP, strict like a real one."""

    name: str = "山﨑　太郎"
    address: str = "高知県安芸市矢ノ丸一丁目4番40号"
    birth_date: datetime.date = datetime.date(1985, 4, 1)
    sex: str = "1"
    card_expires_on: datetime.date = datetime.date(2033, 4, 1)
    certificate_not_after: datetime.datetime = datetime.datetime(2030, 4, 1, 14, 59, 59, tzinfo=datetime.UTC)
    security_code: str = "1234"
    tries_left: int = MAX_TRIES
    my_number: str = "123456789018"
    commands: list = field(default_factory=list)

    def __post_init__(self):
        self._applications = None
        self.power_cycle()

    def verification_b(self):
        """照合番号B: birth date YYMMDD + card expiry year YYYY + the 4-digit security code."""
        return f"{self.birth_date:%y%m%d}{self.card_expires_on:%Y}{self.security_code}"

    @property
    def selected_ef_0001(self):
        """Whether any SELECT of EF 0001 (the 個人番号) reached the card, in whichever AP."""
        return any(_selects_file(command, EF_MY_NUMBER) for command in self.commands)

    def power_cycle(self):
        """Power off, on or reset: nothing selected and nothing verified any more."""
        self._current_aid = None
        self._current_fid = None
        self._verified = False

    def answer(self, command):
        """The response (data + SW1 SW2) to one command APDU."""
        self.commands.append(bytes(command))
        if len(command) < 4:
            return SW_WRONG_LENGTH
        if command[0] != 0x00:
            return SW_CLA_NOT_SUPPORTED
        handlers = {INS_SELECT: self._select, INS_VERIFY: self._verify, INS_READ_BINARY: self._read_binary}
        handler = handlers.get(command[1])
        if handler is None:
            return SW_INS_NOT_SUPPORTED
        apdu = parse_short_apdu(command)
        if apdu is None:
            return SW_WRONG_LENGTH
        return handler(apdu)

    @property
    def applications(self):
        if self._applications is None:
            self._applications = self._build_applications()
        return self._applications

    def _build_applications(self):
        return {
            JPKI_AP: Application(files={EF_USER_CERTIFICATE: user_certificate_der(self.certificate_not_after)}),
            KENMEN_HOJO_AP: Application(
                files={
                    EF_KENMEN_HOJO_PIN: None,
                    EF_FACE_DATA: self._kenmen_hojo_data(),
                    EF_MY_NUMBER: self._my_number_data(),
                },
                pin_ef=EF_KENMEN_HOJO_PIN,
                protected=frozenset({EF_FACE_DATA, EF_MY_NUMBER}),
            ),
            KENMEN_AP: Application(
                files={EF_KENMEN_PIN: None, EF_FACE_DATA: self._kenmen_data(), EF_MY_NUMBER: self._my_number_data()},
                pin_ef=EF_KENMEN_PIN,
                protected=frozenset({EF_FACE_DATA, EF_MY_NUMBER}),
            ),
        }

    def _kenmen_hojo_data(self):
        fields = [
            tlv(b"\xdf\x21", bytes(32)),  # header; its contents do not matter to the tests
            tlv(b"\xdf\x22", self.name.encode()),
            tlv(b"\xdf\x23", self.address.encode()),
            tlv(b"\xdf\x24", f"{self.birth_date:%Y%m%d}".encode()),
            tlv(b"\xdf\x25", self.sex.encode()),
        ]
        return tlv(b"\xff\x20", b"".join(fields))

    def _kenmen_data(self):
        # The filler stands in for the face photo and comes first, so the expiry date can only be
        # reached by reading the EF in several READ BINARY chunks.
        photo_filler = tlv(b"\xdf\x2a", bytes(index % 256 for index in range(PHOTO_FILLER_BYTES)))
        expiry = tlv(b"\xdf\x29", f"{self.card_expires_on:%Y%m%d}".encode())
        return tlv(b"\xff\x20", photo_filler + expiry)

    def _my_number_data(self):
        return tlv(b"\xff\x10", self.my_number.encode())

    def _select(self, apdu):
        if apdu.p2 != 0x0C or apdu.p1 not in (0x02, 0x04):
            return SW_WRONG_P1_P2
        if apdu.data is None or apdu.le is not None:
            return SW_WRONG_LENGTH
        if apdu.p1 == 0x04:
            return self._select_application(apdu.data)
        return self._select_file(apdu.data)

    def _select_application(self, aid):
        if aid not in self.applications:
            return SW_NOT_FOUND
        self._current_aid = aid
        self._current_fid = None
        self._verified = False
        return SW_OK

    def _select_file(self, fid):
        if self._current_aid is None or fid not in self.applications[self._current_aid].files:
            return SW_NOT_FOUND
        self._current_fid = fid
        return SW_OK

    def _verify(self, apdu):
        if apdu.p1 != 0x00 or apdu.p2 != 0x80:
            return SW_WRONG_P1_P2
        if apdu.le is not None:
            return SW_WRONG_LENGTH
        if self._current_aid is None or self._current_fid != self.applications[self._current_aid].pin_ef:
            return SW_NO_CURRENT_EF
        if self.tries_left == 0:
            return SW_BLOCKED
        if apdu.data is None:
            return self._tries_left_status()
        if apdu.data == self.verification_b().encode("ascii"):
            self.tries_left = MAX_TRIES
            self._verified = True
            return SW_OK
        self.tries_left -= 1
        return SW_BLOCKED if self.tries_left == 0 else self._tries_left_status()

    def _tries_left_status(self):
        return bytes([0x63, 0xC0 | self.tries_left])

    def _read_binary(self, apdu):
        if apdu.p1 & 0x80:  # a short EF identifier instead of an offset: not used on this card
            return SW_WRONG_P1_P2
        if apdu.data is not None or apdu.le is None:
            return SW_WRONG_LENGTH
        if self._current_fid is None:
            return SW_NO_CURRENT_EF
        application = self.applications[self._current_aid]
        content = application.files[self._current_fid]
        if content is None:
            return SW_INCOMPATIBLE_FILE
        if self._current_fid in application.protected and not self._verified:
            return SW_SECURITY_NOT_SATISFIED
        offset = (apdu.p1 << 8) | apdu.p2
        if offset >= len(content):
            return SW_OFFSET_OUTSIDE_EF
        length = apdu.le or 256
        return content[offset : offset + length] + SW_OK


class VirtualCardSlot:
    """The vpcd reader slot on ``port``: ``insert`` serves a card to pcscd until ``remove``.

    Both wait until pcscd itself reports the card present or absent, so a test that follows
    sees the reader in the new state.
    """

    def __init__(self, reader_name, port=VPCD_PORT, timeout=10.0):
        self.reader_name = reader_name
        self.port = port
        self.timeout = timeout
        self.card = None
        self._socket = None
        self._thread = None
        self._card_error = None

    def insert(self, card):
        if self.card is not None:
            raise RuntimeError("a card is already in the virtual reader; remove it first")
        self._socket = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.card = card
        self._card_error = None
        self._socket.settimeout(None)  # blocks between pcscd's polls; remove() ends it by shutdown
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._serve, name="virtual card", daemon=True)
        self._thread.start()
        self._wait_for_reader_state(present=True)

    def remove(self):
        """Pull the card out; raises what went wrong inside the card while it was in, if anything."""
        if self.card is None:
            return
        self._socket.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=self.timeout)
        self._socket.close()
        self._socket = None
        self.card = None
        self._wait_for_reader_state(present=False)
        if self._card_error is not None:
            raise RuntimeError("the virtual card failed while answering pcscd") from self._card_error

    def _serve(self):
        try:
            while (payload := self._receive()) is not None:
                reply = self._reply_to(payload)
                if reply is not None:
                    self._socket.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            pass  # the socket was shut down by remove() or closed by pcscd

    def _receive(self):
        header = self._receive_exactly(2)
        if header is None:
            return None
        return self._receive_exactly(struct.unpack(">H", header)[0])

    def _receive_exactly(self, size):
        data = b""
        while len(data) < size:
            self._acknowledge_at_once()
            chunk = self._socket.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _acknowledge_at_once(self):
        # vpcd writes the length and the payload separately: Nagle holds back the payload until
        # the length is acknowledged, and Linux delays that acknowledgement by 40 ms per message.
        if hasattr(socket, "TCP_QUICKACK"):
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)

    def _reply_to(self, payload):
        if len(payload) == 1:
            return self._control(payload[0])
        try:
            return self.card.answer(payload)
        except Exception as error:  # the card has a bug: keep answering pcscd, report it at remove()
            self._card_error = error
            return SW_CARD_ERROR

    def _control(self, code):
        if code == CONTROL_GET_ATR:
            return ATR
        if code in (CONTROL_POWER_OFF, CONTROL_POWER_ON, CONTROL_RESET):
            self.card.power_cycle()
        return None

    def _wait_for_reader_state(self, present):
        """Block on SCardGetStatusChange until pcscd sees the card (with its ATR) or sees none."""
        result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            raise RuntimeError(f"pcscd does not answer: {scard.SCardGetErrorMessage(result)}")
        try:
            self._wait_in_context(context, present)
        finally:
            scard.SCardReleaseContext(context)

    def _wait_in_context(self, context, present):
        wanted = "present" if present else "absent"
        states = [(self.reader_name, scard.SCARD_STATE_UNAWARE)]
        deadline = time.monotonic() + self.timeout
        while True:
            timeout_ms = max(0, int((deadline - time.monotonic()) * 1000))
            result, reader_states = scard.SCardGetStatusChange(context, timeout_ms, states)
            if result == scard.SCARD_E_TIMEOUT:
                raise TimeoutError(f"pcscd did not see the card {wanted} in {self.reader_name} in {self.timeout} s")
            if result != scard.SCARD_S_SUCCESS:
                raise RuntimeError(f"SCardGetStatusChange failed: {scard.SCardGetErrorMessage(result)}")
            (reader, event_state, atr) = reader_states[0]
            if _card_is(present, event_state, atr):
                return
            states = [(reader, event_state & ~scard.SCARD_STATE_CHANGED)]


def _card_is(present, event_state, atr):
    if present:
        return bool(event_state & scard.SCARD_STATE_PRESENT and not event_state & scard.SCARD_STATE_MUTE and atr)
    return bool(event_state & scard.SCARD_STATE_EMPTY)
