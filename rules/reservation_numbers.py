"""Reservation numbers: short, unambiguous to read aloud, and not guessable."""

import secrets
import unicodedata

# No 0/O, 1/I/L or U/V look-alikes: 29 symbols, 8 of them give about 39 bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 8


def new_reservation_number():
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{symbols[:4]}-{symbols[4:]}"


def normalise_reservation_number(text):
    """Accept lower case, full width, spaces and a missing hyphen."""
    compact = "".join(ch for ch in unicodedata.normalize("NFKC", text or "").upper() if ch.isalnum())
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == LENGTH else compact
