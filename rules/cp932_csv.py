"""CSV for programs that read only CP932 (the 統合端末, Excel on older PCs).

A character outside CP932 (for example 𠮷) cannot be written. Rather than replace it silently
with a look-alike or "?", the whole export is refused, naming every cell that holds one, so the
clerk can choose the UTF-8 export or correct the record."""

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Cp932Problem:
    line: int
    column: str
    characters: str

    @property
    def message(self):
        return f"{self.line}行目「{self.column}」の「{self.characters}」はCP932(Shift_JIS)で書けない文字です。"


class Cp932Error(ValueError):
    def __init__(self, problems):
        super().__init__(problems[0].message)
        self.problems = problems


def cp932_csv(header, rows):
    """The CSV (header line, then rows; CRLF) as CP932 bytes, or Cp932Error listing every problem."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    try:
        return buffer.getvalue().encode("cp932")
    except UnicodeEncodeError:
        raise Cp932Error(_problems(header, rows)) from None


def _problems(header, rows):
    problems = []
    for line, row in enumerate([header, *rows], start=1):
        for column, value in zip(header, row, strict=True):
            unwritable = "".join(dict.fromkeys(ch for ch in str(value) if not _writable(ch)))
            if unwritable:
                problems.append(Cp932Problem(line, column, unwritable))
    return problems


def _writable(character):
    try:
        character.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True
