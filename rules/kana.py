"""Kana names: one normalised form for matching the same person across records."""

import re

import jaconv

SPACES = re.compile(r"[\s\u3000]+")
KATAKANA_NAME = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fb\u3000 ]+$")


def normalise_kana(text):
    """Half-width kana to full width, hiragana to katakana, runs of spaces to one 全角 space."""
    text = jaconv.hira2kata(jaconv.h2z(text or "", kana=True, ascii=False, digit=False))
    return SPACES.sub("\u3000", text).strip("\u3000")


def kana_key(text):
    """The matching key: the normalised kana without spaces."""
    return normalise_kana(text).replace("\u3000", "")


def is_kana_name(text):
    """True when, once normalised, the text is full-width katakana (with spaces, ー and ・)."""
    return bool(KATAKANA_NAME.match(normalise_kana(text)))
