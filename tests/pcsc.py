"""Fixtures for card reader tests through the real pcscd, with vsmartcard's vpcd as the reader
(made available to every test by tests/conftest.py).

CI installs pcscd and vsmartcard-vpcd (scripts/setup.sh dev), so a missing one fails the tests
instead of skipping them. Every test that uses these fixtures lands in the xdist group "pcscd":
one worker owns the pcscd process and the vpcd port.
"""

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from smartcard import scard

from tests.devices.virtual_card import VirtualCardSlot

LOCK_PATH = os.path.join(tempfile.gettempdir(), "kofu-pcscd-tests.lock")
VPCD_READER_PREFIX = "Virtual PCD"
VPCD_CONFIG = "/etc/reader.conf.d/vpcd"
PCSCD_START_SECONDS = 10
PCSCD_STOP_SECONDS = 10


@pytest.fixture(scope="session")
def pcsc_reader(tmp_path_factory):
    """The name of vpcd's reader in a pcscd that answers: one already running, or one started here."""
    with _owning_the_vpcd_port():
        names = _reader_names()
        if names is not None:
            yield _vpcd_reader_or_fail(names, "the pcscd already running")
            return
        log_path = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen([_pcscd_binary(), "--foreground"], stdout=log, stderr=subprocess.STDOUT)
            try:
                yield _wait_for_vpcd_reader(process, log_path)
            finally:
                _stop(process)


@pytest.fixture
def card_slot(pcsc_reader):
    """vpcd's slot, empty; a card a test inserts is removed afterwards."""
    slot = VirtualCardSlot(pcsc_reader)
    yield slot
    slot.remove()


@contextlib.contextmanager
def _owning_the_vpcd_port():
    """Fail at once, instead of later and obscurely, when another pytest process uses pcscd too."""
    with open(LOCK_PATH, "w") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pytest.fail(
                f"another pytest process holds {LOCK_PATH}: only one may use pcscd and the vpcd port. "
                "Under xdist, run with --dist loadgroup (tests using pcsc_reader join the group 'pcscd')."
            )
        yield


def _pcscd_binary():
    search_path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    binary = shutil.which("pcscd", path=search_path)
    if binary is None:
        pytest.fail("pcscd is not installed: apt-get install pcscd vsmartcard-vpcd (scripts/setup.sh dev)")
    return binary


def _reader_names():
    """The readers pcscd lists, or None when no pcscd answers."""
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return None
    try:
        result, names = scard.SCardListReaders(context, [])
        return names if result == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(context)


def _vpcd_names(names):
    return sorted(name for name in names or [] if name.startswith(VPCD_READER_PREFIX))


def _vpcd_reader_or_fail(names, whose):
    vpcd_names = _vpcd_names(names)
    if not vpcd_names:
        pytest.fail(
            f"{whose} lists no {VPCD_READER_PREFIX!r} reader (readers: {names}): "
            f"is vsmartcard-vpcd installed, with {VPCD_CONFIG}?"
        )
    # vpcd makes two slots, "... 00 00" on port 35963 and "... 00 01" on 35964: the first is ours.
    return vpcd_names[0]


def _wait_for_vpcd_reader(process, log_path):
    deadline = time.monotonic() + PCSCD_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pcscd exited with status {process.returncode}:\n{log_path.read_text(errors='replace')}")
        vpcd_names = _vpcd_names(_reader_names())
        if vpcd_names:
            return vpcd_names[0]
        time.sleep(0.05)
    _stop(process)
    pytest.fail(
        f"pcscd listed no {VPCD_READER_PREFIX!r} reader within {PCSCD_START_SECONDS} s: is vsmartcard-vpcd "
        f"installed, with {VPCD_CONFIG}?\n{log_path.read_text(errors='replace')}"
    )


def _stop(process):
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=PCSCD_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
