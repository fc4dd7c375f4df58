"""The card reader at the counter, through PC/SC (pyscard and pcscd): read the card that lies
on it, or wait for the next card to be put on it (continuous reading).

``reader_name`` picks readers whose name contains it; empty means any reader."""

import time
from contextlib import contextmanager, suppress

from smartcard import scard
from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers

from devices.mynumber_card import CardError, MyNumberCard

NO_SERVICE = "カードリーダーを使えません。カードリーダーのサービス(pcscd)が動いているか確かめてください。"
NO_READER = "カードリーダーが見つかりません。接続を確かめてください。"
NO_CARD = "カードリーダーにカードが置かれていません。"
CARD_LEFT = "読み取りの途中でカードが離れました。カードを置き直して、もう一度読み取ってください。"


def read_card(verification_b=None, reader_name=""):
    """The certificate expiry, and the card face too when 照合番号B is given."""
    with _card_on_reader(reader_name) as transmit:
        return MyNumberCard(transmit).read(verification_b)


def _matching_readers(reader_name):
    """The readers whose name contains ``reader_name``; CardError when pcscd or they are missing."""
    try:
        found = [reader for reader in readers() if reader_name in str(reader)]
    except (BaseSCardException, SmartcardException) as error:
        raise CardError(NO_SERVICE) from error
    if not found:
        raise CardError(NO_READER)
    return found


def wait_for_new_card(timeout, reader_name=""):
    """True as soon as a card is put on a matching reader within ``timeout`` seconds; a card
    already lying there does not count.

    pcscd's own status-change wait, not pyscard's CardMonitor: the monitor's thread never stops,
    reports the cards already present as inserted on its first poll, and dies when pcscd
    restarts."""
    names = [str(reader) for reader in _matching_readers(reader_name)]
    with _pcsc_context() as context:
        states = _reader_states(context, [(name, scard.SCARD_STATE_UNAWARE) for name in names], 0)
        deadline = time.monotonic() + timeout
        while (left_ms := int((deadline - time.monotonic()) * 1000)) > 0:
            changed = _reader_states(context, states, left_ms)
            if changed is None:
                return False
            if any(_put_on(before, after) for before, after in zip(states, changed, strict=True)):
                return True
            states = changed
    return False


def _put_on(before, after):
    return not before[1] & scard.SCARD_STATE_PRESENT and after[1] & scard.SCARD_STATE_PRESENT


def _reader_states(context, states, timeout_ms):
    """The readers' states once one differs from ``states`` (None when ``timeout_ms`` passes)."""
    result, changed = scard.SCardGetStatusChange(context, timeout_ms, states)
    if result == scard.SCARD_E_TIMEOUT:
        return None
    if result != scard.SCARD_S_SUCCESS:
        raise CardError(NO_SERVICE)
    return [(name, state & ~scard.SCARD_STATE_CHANGED) for name, state, _atr in changed]


@contextmanager
def _pcsc_context():
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        raise CardError(NO_SERVICE)
    try:
        yield context
    finally:
        scard.SCardReleaseContext(context)


@contextmanager
def _card_on_reader(reader_name):
    connection = _connect_first_card(_matching_readers(reader_name))
    try:
        yield lambda apdu: _transmit(connection, apdu)
    finally:
        _release(connection)


def _connect_first_card(matching_readers):
    for reader in matching_readers:
        connection = reader.createConnection()
        try:
            # A reset on disconnect drops the verified state of 照合番号B with the connection.
            connection.connect(disposition=scard.SCARD_RESET_CARD)
        except (NoCardException, CardConnectionException):
            connection.release()
            continue
        return connection
    raise CardError(NO_CARD)


def _transmit(connection, apdu):
    try:
        return connection.transmit(apdu)
    except CardConnectionException as error:
        raise CardError(CARD_LEFT) from error


def _release(connection):
    with suppress(CardConnectionException):
        connection.disconnect()
    connection.release()
