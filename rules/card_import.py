"""統合端末 CSV import: decode, map the columns by an import profile, validate every row,
compare with the ledger (preview), then write everything or nothing (apply).

Validation works on whole columns with pandas and converts each distinct value once, and the
ledger is read and written in chunks, so that 100,000 rows take seconds, not minutes.
"""

import codecs
import csv
import datetime
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
from peewee import BooleanField, DateField, IntegrityError

from config import PROJECT_ROOT
from database import is_sqlite, refresh_planner_statistics, write_transaction
from models import ISSUE_KINDS, SEXES, VISIT_TYPES, Card, CardEvent, db
from rules.card_links import link_ledger
from rules.clock import now
from rules.kana import is_kana_name, kana_key, normalise_kana
from rules.wareki import parse_date

PROFILE_DIR = PROJECT_ROOT / "data" / "import_profiles"
PROFILE_NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}")
CHUNK_ROWS = 1000
SAMPLE_ROWS = 10
EVENT_NOTE = "統合端末CSV取込"
EVENT_KEYS = ("card", "at", "to_stage", "note", "user")
FULL_WIDTH_ALNUM = str.maketrans(
    {chr(code): chr(code - 0xFEE0) for code in range(0xFF10, 0xFF5B) if chr(code - 0xFEE0).isalnum()}
)
HYPHENS = re.compile("[-\u2010\u2011\u2012\u2013\u2212\uff0d\u30fc\uff70]")
NOTICE_NUMBER = re.compile(r"[A-Z2-9]{3}[0-9]{6}")
MY_NUMBER_LIKE = re.compile(r"\d{12}")
# Cells already in their stored form, recognised for a whole column at once: nearly every 申請書ID
# and notice number is, and converting 100,000 distinct values one by one is the slow part.
CANONICAL = {"form_id": r"[0-9]{23}", "notice": r"[A-Z2-9]{3}-[0-9]{6}"}
CONFLICT_MESSAGE = "取込中に他の操作と重なりました。もう一度プレビューからやり直してください。"
NO_COLUMN_FOUND = "取込設定の列が1つも見つかりません。取込設定か文字コードが違う可能性があります。"


@dataclass(frozen=True)
class FieldSpec:
    label: str
    kind: str
    required: bool = False
    max_length: int | None = None
    choices: tuple = ()


FIELDS = {
    "application_form_id": FieldSpec("申請書ID", "form_id", required=True),
    "name": FieldSpec("氏名", "text", required=True, max_length=100),
    "kana": FieldSpec("氏名フリガナ", "kana", required=True, max_length=100),
    "birth_date": FieldSpec("生年月日", "date", required=True),
    "sex": FieldSpec("性別", "choice", choices=SEXES),
    "address": FieldSpec("住所", "text", max_length=200),
    "notice_number": FieldSpec("交付通知書番号", "notice"),
    "card_expiry": FieldSpec("カード有効期限", "date"),
    "cert_expiry": FieldSpec("電子証明書有効期限", "date"),
    "received_on": FieldSpec("申請受付日", "date"),
    "visit_type": FieldSpec("来庁区分", "choice", required=True, choices=VISIT_TYPES),
    "issue_kind": FieldSpec("発行区分", "choice", choices=ISSUE_KINDS),
    "express": FieldSpec("特急", "flag", choices=(("有", True), ("無", False), ("", False))),
    "delivered_on": FieldSpec("納品日", "date"),
    "batch": FieldSpec("納品ロット", "text", max_length=40),
}
VISIT_TYPE_LABELS = dict(VISIT_TYPES)


class ProfileError(ValueError):
    """An import profile that cannot be used; the message says why, in Japanese."""


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    columns: dict
    values: dict

    def value_map(self, field_name):
        """Written value → stored value: the field's own choices, then the profile's additions."""
        spec = FIELDS[field_name]
        if spec.kind == "flag":
            mapping = dict(spec.choices)
        else:
            mapping = {label: code for code, label in spec.choices} | {code: code for code, _ in spec.choices}
        return mapping | {_clean(key): value for key, value in self.values.get(field_name, {}).items()}


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str
    message: str


@dataclass
class Report:
    encoding: str = ""
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    by_visit_type: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    sample: list = field(default_factory=list)
    sample_columns: list = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self):
        return not self.problems

    @classmethod
    def from_dict(cls, values):
        """The report ``dataclasses.asdict`` made, back from JSON."""
        return cls(**{**values, "problems": [Problem(**problem) for problem in values["problems"]]})


@dataclass
class Plan:
    """What apply would write: whole rows for new cards, changed fields for existing ones."""

    new_rows: pd.DataFrame
    updates: list


def profile_directories(data_dir):
    """Where profiles are looked for: the data folder's ``import_profiles/``, then the bundled one."""
    return tuple(dict.fromkeys((Path(data_dir) / "import_profiles", PROFILE_DIR)))


def profile_choices(directories):
    """(name, label) of every readable profile, default first; a name found twice counts once."""
    names = sorted({path.stem for folder in directories for path in Path(folder).glob("*.json")})
    choices = []
    for name in sorted(names, key=lambda stem: (stem != "default", stem)):
        try:
            choices.append((name, load_profile(name, directories).label))
        except ProfileError:
            continue
    return choices


def load_profile(name, directories):
    """Read and check ``<name>.json`` from the first folder that has it; raise ProfileError with the reason."""
    if not PROFILE_NAME.fullmatch(name or ""):
        raise ProfileError(f"取込設定の名前「{name}」は使えません(半角英数字・-・_のみ)。")
    paths = [Path(folder) / f"{name}.json" for folder in directories]
    path = next((path for path in paths if path.is_file()), None)
    if path is None:
        raise ProfileError(f"取込設定「{name}」がありません。")
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"取込設定「{name}」はUTF-8で保存してください。") from None
    except json.JSONDecodeError as error:
        where = f"{error.lineno}行目{error.colno}文字目"
        raise ProfileError(f"取込設定「{name}」のJSONが読めません({where}付近)。") from None
    if not isinstance(content, dict):
        raise ProfileError(f"取込設定「{name}」はJSONのオブジェクトで書いてください。")
    columns = {_clean(column): target for column, target in content.get("columns", {}).items()}
    _check_profile(name, columns, content.get("values", {}))
    return Profile(name, content.get("label") or name, columns, content.get("values", {}))


def _check_profile(name, columns, values):
    unknown = sorted(set(columns.values()) - set(FIELDS)) + sorted(set(values) - set(FIELDS))
    if unknown:
        raise ProfileError(f"取込設定「{name}」に不明な項目があります: {', '.join(unknown)}")
    missing = [spec.label for key, spec in FIELDS.items() if spec.required and key not in columns.values()]
    if missing:
        raise ProfileError(f"取込設定「{name}」に必須項目の列の指定がありません: {', '.join(missing)}")
    if len(set(columns.values())) != len(columns):
        raise ProfileError(f"取込設定「{name}」で同じ項目に複数の列が割り当てられています。")
    for key, mapping in values.items():
        allowed = {True, False} if FIELDS[key].kind == "flag" else {code for code, _ in FIELDS[key].choices}
        wrong = [str(value) for value in mapping.values() if value not in allowed]
        if wrong:
            raise ProfileError(f"取込設定「{name}」の「{FIELDS[key].label}」の値が正しくありません: {', '.join(wrong)}")


def preview(data, profile):
    """The report of what importing ``data`` (bytes) would do; writes nothing."""
    report, _plan = _plan_import(data, profile)
    return report


def apply(data, profile, user=None, progress=None):
    """Import ``data`` all-or-nothing. The report says whether it was applied and why not.

    ``progress(done, total)`` is called after each chunk written."""
    try:
        with write_transaction(db):
            report, plan = _plan_import(data, profile)
            if report.ok:
                _write(plan, user, progress)
                report.applied = True
    except IntegrityError:
        report.problems.append(Problem(None, "", CONFLICT_MESSAGE))
        report.applied = False
    if report.applied:
        refresh_planner_statistics(db, (Card, CardEvent))
    return report


# Reading the file ----------------------------------------------------------------------------


def decode(data):
    """(text, encoding label) of CSV bytes in UTF-8 (with or without BOM) or CP932; else ValueError."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8(BOM付き)"
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" not in data:
        for encoding, label in (("utf-8", "UTF-8"), ("cp932", "CP932(Shift_JIS)")):
            try:
                return data.decode(encoding), label
            except UnicodeDecodeError:
                continue
    raise ValueError("ファイルの文字コードを判別できません。CP932(Shift_JIS)かUTF-8で保存したCSVを指定してください。")


def _plan_import(data, profile):
    report = Report(sample_columns=[(key, FIELDS[key].label) for key in profile.columns.values()])
    try:
        text, report.encoding = decode(data)
        frame, lines = _read_table(text, profile)
    except ValueError as error:
        report.problems.append(Problem(None, "", str(error)))
        return report, None
    missing = [column for column in profile.columns if column not in frame.columns]
    if missing:
        report.problems.extend(_missing_column_problems(missing, frame))
        return report, None
    if frame.empty:
        report.problems.append(Problem(None, "", "列名の行の後にデータの行がありません。"))
        return report, None
    report.rows = len(frame)
    cells = frame.rename(columns=profile.columns)
    values, problems = _validate(cells, lines, profile)
    report.problems.extend(problems)
    report.sample = _sample(values)
    plan = _compare_with_ledger(values, report, profile)
    report.problems.sort(key=lambda problem: (problem.line or 0, problem.column))
    return report, plan


def _read_table(text, profile):
    """The mapped columns as a frame of strings, and each row's line number in the file."""
    header = next(csv.reader(io.StringIO(text)), None)
    if not header:
        raise ValueError("ファイルが空です。1行目に列名の行が必要です。")
    present = [name for name in header if _clean(name) in profile.columns]
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, usecols=present
        ).fillna("")
    except pd.errors.ParserError as error:
        raise ValueError(_parser_message(error)) from None
    frame.columns = [_clean(name) for name in frame.columns]
    lines = pd.Series(_record_lines(text) if '"' in text else range(2, len(frame) + 2), index=frame.index)
    blank = (frame == "").all(axis=1)
    return frame[~blank].reset_index(drop=True), lines[~blank].reset_index(drop=True)


def _record_lines(text):
    """The line each data record starts on, counting the line breaks a quoted cell may hold."""
    reader = csv.reader(io.StringIO(text))
    starts, previous_end = [], 0
    for _record in reader:
        starts.append(previous_end + 1)
        previous_end = reader.line_num
    return starts[1:]


def _parser_message(error):
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
    if found:
        expected, line, seen = found.groups()
        return f"{line}行目の列の数({seen})が見出しの列の数({expected})と違います。"
    return 'CSVとして読めません。引用符(")の対応などを確認してください。'


def _missing_column_problems(missing, frame):
    problems = [Problem(1, column, f"列「{column}」がありません(取込設定で必要な列です)。") for column in missing]
    if frame.columns.empty:
        problems.append(Problem(1, "", NO_COLUMN_FOUND))
    return problems


# Validating ----------------------------------------------------------------------------------


def _validate(cells, lines, profile):
    """Normalised values per field (None where empty or wrong) and every problem found."""
    values = pd.DataFrame(index=cells.index)
    problems = []
    column_of = {target: column for column, target in profile.columns.items()}
    for key, column in column_of.items():
        spec = FIELDS[key]
        converted, messages = _convert_column(cells[key], key, spec, profile)
        values[key] = converted
        failed = messages.notna()
        problems.extend(
            Problem(line, column, message) for line, message in zip(lines[failed], messages[failed], strict=True)
        )
    if "kana" in values:
        values["kana_key"] = values["kana"].map({kana: kana_key(kana) for kana in values["kana"].dropna().unique()})
    for key in ("application_form_id", "notice_number"):
        if key in values:
            problems.extend(_duplicates(values[key], lines, column_of[key], FIELDS[key].label))
    values["line"] = lines
    values["valid"] = ~lines.isin({problem.line for problem in problems})
    return values, problems


def _convert_column(cells, key, spec, profile):
    """(converted values, message or None) for one column, each distinct cell converted once."""
    pattern = CANONICAL.get(spec.kind)
    ready = cells.str.fullmatch(pattern) if pattern else pd.Series(False, index=cells.index)
    converted = cells.astype(object).where(ready, None)
    messages = pd.Series(None, index=cells.index, dtype=object)
    rest = cells[~ready]
    if rest.empty:
        return converted, messages
    convert = _converter(key, spec, profile)
    codes, distinct = pd.factorize(rest)
    results = np.empty((len(distinct), 2), dtype=object)
    for position, cell in enumerate(distinct.tolist()):
        results[position] = _convert_cell(cell, spec, convert)
    converted[~ready] = results[codes, 0]
    messages[~ready] = results[codes, 1]
    return converted, messages


def _convert_cell(cell, spec, convert):
    """(value, None) or (None, message). An empty cell is None, or a message when required."""
    written = cell.strip()
    if not written and spec.kind != "flag":
        return None, (f"{spec.label}が入力されていません。" if spec.required else None)
    try:
        return convert(written), None
    except ValueError as error:
        return None, _without_my_number(written, spec, str(error))


def _converter(key, spec, profile):
    if spec.kind == "form_id":
        return _form_id
    if spec.kind == "kana":
        return lambda cell: _kana(cell, spec)
    if spec.kind == "date":
        return parse_date
    if spec.kind == "notice":
        return _notice_number
    if spec.kind in ("choice", "flag"):
        mapping = profile.value_map(key)
        return lambda cell: _choice(cell, spec, mapping)
    return lambda cell: _text(cell, spec)


def _form_id(cell):
    digits = _ascii(cell)
    if not (digits.isascii() and digits.isdigit() and len(digits) == 23):
        raise ValueError(f"申請書IDは23桁の数字です({len(digits)}文字あります)。")
    return digits


def _ascii(cell):
    """Full-width letters and digits as ASCII. Most cells are ASCII already, and translate is slow."""
    return cell if cell.isascii() else cell.translate(FULL_WIDTH_ALNUM)


def _notice_number(cell):
    compact = _ascii(cell)
    compact = (compact.replace("-", "") if compact.isascii() else HYPHENS.sub("", compact)).upper()
    if not NOTICE_NUMBER.fullmatch(compact):
        raise ValueError(f"交付通知書番号「{cell}」の形が正しくありません(英数字3桁-数字6桁、例: 6A6-244944)。")
    return f"{compact[:3]}-{compact[3:]}"


def _kana(cell, spec):
    kana = normalise_kana(cell)
    if not is_kana_name(kana):
        raise ValueError(f"{spec.label}「{cell}」はカタカナで入力してください。")
    return _text(kana, spec)


def _choice(cell, spec, mapping):
    written = _clean(cell)
    if written not in mapping:
        allowed = "・".join(key for key, value in mapping.items() if key and key != value)
        raise ValueError(f"{spec.label}「{cell}」は読めません({allowed}のいずれか)。")
    return mapping[written]


def _text(cell, spec):
    if spec.max_length and len(cell) > spec.max_length:
        raise ValueError(f"{spec.label}は{spec.max_length}文字以内にしてください({len(cell)}文字あります)。")
    return cell


def _without_my_number(cell, spec, message):
    """An error message never repeats a value that could be a 12-digit 個人番号."""
    if cell in message and MY_NUMBER_LIKE.search(unicodedata.normalize("NFKC", cell)):
        return f"{spec.label}の値が正しくありません(12桁以上の数字を含むため内容は表示しません)。"
    return message


def _duplicates(values, lines, column, label):
    repeated = values.notna() & values.duplicated(keep=False)
    problems = []
    for value, group in lines[repeated].groupby(values[repeated]):
        where = "・".join(f"{line}行目" for line in group)
        message = f"{label}「{value}」がファイル内で重複しています({where})。"
        problems.extend(Problem(line, column, message) for line in group)
    return problems


def _sample(values):
    """The first rows as they would be stored, in words a person reads."""
    head = values.head(SAMPLE_ROWS)
    head = head.astype(object).where(head.notna(), None)
    return [
        {key: _display(key, value) for key, value in row.items() if key in FIELDS or key == "line"}
        for row in head.to_dict("records")
    ]


def _display(key, value):
    if value is None:
        return ""
    spec = FIELDS.get(key)
    if spec and spec.kind == "flag":
        return "有" if value else ""
    if spec and spec.kind == "choice":
        return dict(spec.choices).get(value, value)
    return str(value)


def _clean(text):
    return unicodedata.normalize("NFKC", str(text)).strip()


# Comparing with the ledger -------------------------------------------------------------------


def _stored_fields(values):
    return [key for key in values.columns if key in Card._meta.fields]


def _compare_with_ledger(values, report, profile):
    """Count new / updated / unchanged rows (those without errors) and plan the writes."""
    valid = values[values["valid"]]
    stored = _stored_fields(values)
    existing = _existing_cards(valid["application_form_id"].tolist(), stored)
    report.problems.extend(_notice_number_conflicts(valid, profile))
    is_new = ~valid["application_form_id"].isin(existing.index)
    updates = _changes(valid[~is_new], existing, stored)
    status = pd.Series("unchanged", index=valid.index)
    status[is_new] = "new"
    status[valid.index.isin([index for index, _ in updates])] = "updated"
    report.new, report.updated = int(is_new.sum()), len(updates)
    report.unchanged = len(valid) - report.new - report.updated
    if not valid.empty:
        report.by_visit_type = status.groupby(valid["visit_type"]).value_counts().unstack(fill_value=0).to_dict("index")
    new_rows = valid.loc[is_new, stored]
    return Plan(
        new_rows=new_rows, updates=[(valid.at[index, "application_form_id"], change) for index, change in updates]
    )


def _chunks(items, size=CHUNK_ROWS):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _cards_among(fields, key_field, values):
    """Raw rows of the cards whose ``key_field`` is among ``values``, read in chunks with plain SQL:
    peewee renders every parameter of an IN list as a node, which cost about a second at 100,000 rows."""
    names = ", ".join(_quoted(column.column_name) for column in fields)
    for chunk in _chunks(values):
        sql = f"SELECT {names} FROM {_quoted(Card._meta.table_name)} WHERE {_quoted(key_field.column_name)}"
        yield from db.execute_sql(f"{sql} IN {_placeholders(len(chunk))}", chunk)


def _python_values(column, field):
    """A column as read from either database turned into Python values, one column at a time:
    SQLite keeps dates as ISO text and booleans as 0 or 1."""
    if isinstance(field, DateField):
        return column.map(lambda value: datetime.date.fromisoformat(value) if isinstance(value, str) else value)
    if isinstance(field, BooleanField):
        return column.map(lambda value: None if value is None else bool(value))
    return column


def _quoted(name):
    return f'"{name}"'


def _placeholders(count):
    return "(" + ", ".join([db.param] * count) + ")"


def _existing_cards(form_ids, stored):
    fields = [Card._meta.fields[key] for key in stored]
    rows = list(_cards_among(fields, Card.application_form_id, form_ids))
    existing = pd.DataFrame(rows, columns=stored, dtype=object)
    for key, model_field in zip(stored, fields, strict=True):
        existing[key] = _python_values(existing[key], model_field)
    return existing.set_index("application_form_id", drop=False)


def _notice_number_conflicts(valid, profile):
    """Problems for notice numbers that the ledger already gives to another card."""
    if "notice_number" not in valid:
        return []
    wanted = valid[valid["notice_number"].notna()]
    fields = [Card.notice_number, Card.application_form_id]
    holders = dict(_cards_among(fields, Card.notice_number, wanted["notice_number"].tolist()))
    holder = wanted["notice_number"].map(holders)
    clash = holder.notna() & (holder != wanted["application_form_id"])
    column = next(column for column, key in profile.columns.items() if key == "notice_number")
    return [
        Problem(line, column, f"交付通知書番号「{number}」は別のカード(申請書ID {other})に登録済みです。")
        for line, number, other in zip(
            wanted["line"][clash], wanted["notice_number"][clash], holder[clash], strict=True
        )
    ]


def _changes(incoming, existing, stored):
    """[(row index, {field: new value})] for existing cards that the file changes.

    An empty cell (None) never overwrites what the ledger already holds."""
    if incoming.empty:
        return []
    before = existing.loc[incoming["application_form_id"], stored].set_index(incoming.index)
    differs = {}
    for key in stored:
        new, old = incoming[key], before[key]
        differs[key] = new.notna() & (new != old)
    changed = pd.DataFrame(differs)
    updates = []
    for index in changed.index[changed.any(axis=1)]:
        keys = changed.columns[changed.loc[index]]
        updates.append((index, {key: incoming.at[index, key] for key in keys}))
    return updates


# Writing -------------------------------------------------------------------------------------


def _write(plan, user, progress):
    if is_sqlite(db.obj):
        # The ledger's many indexes outgrow SQLite's 2 MB default page cache at this size;
        # 64 MB for this connection made the 100,000-row insert about a third faster.
        db.execute_sql("PRAGMA cache_size = -65536")
    at = now()
    keys, rows = _new_card_rows(plan.new_rows, at)
    event = (at, "delivered", EVENT_NOTE, user.id if user else None)
    total = len(rows) + len(plan.updates)
    done = 0
    for chunk in _chunks(rows):
        card_ids = _add_cards(keys, chunk)
        _add_rows(CardEvent, EVENT_KEYS, [(card_id, *event) for card_id in card_ids])
        done += len(chunk)
        _report_progress(progress, done, total)
    for chunk in _chunks(plan.updates):
        for form_id, change in chunk:
            Card.update(**change, updated_at=at).where(Card.application_form_id == form_id).execute()
        done += len(chunk)
        _report_progress(progress, done, total)
    link_ledger()


def _report_progress(progress, done, total):
    if progress:
        progress(done, total)


def _new_card_rows(frame, at):
    """(field names, row tuples) of the new cards, empty cells filled with the model's defaults."""
    columns = {key: frame[key].astype(object).where(frame[key].notna(), None).tolist() for key in frame.columns}
    for key, default in _insert_defaults(at).items():
        given = columns.get(key, [None] * len(frame))
        columns[key] = [default if value is None else value for value in given]
    return list(columns), list(zip(*columns.values(), strict=True))


def _add_cards(keys, rows):
    """Insert new cards and return their ids."""
    if is_sqlite(db.obj):
        return _insert_rows(Card, keys, rows, returning="id")
    _copy_rows(Card, keys, rows)
    form_ids = [row[keys.index("application_form_id")] for row in rows]
    return [card_id for (card_id,) in _cards_among([Card.id], Card.application_form_id, form_ids)]


def _add_rows(model, keys, rows):
    if is_sqlite(db.obj):
        _insert_rows(model, keys, rows)
    else:
        _copy_rows(model, keys, rows)


def _insert_rows(model, keys, rows, returning=None):
    """One multi-row INSERT per chunk. peewee's insert_many converts every value in Python,
    which made 100,000 cards take about 9 seconds instead of 2."""
    names = ", ".join(_quoted(model._meta.fields[key].column_name) for key in keys)
    values = ", ".join([_placeholders(len(keys))] * len(rows))
    sql = f"INSERT INTO {_quoted(model._meta.table_name)} ({names}) VALUES {values}"
    if returning is None:
        db.execute_sql(sql, list(chain.from_iterable(rows)))
        return None
    cursor = db.execute_sql(f"{sql} RETURNING {_quoted(returning)}", list(chain.from_iterable(rows)))
    return [value for (value,) in cursor.fetchall()]


def _copy_rows(model, keys, rows):
    """PostgreSQL's COPY, about twice as fast as multi-row INSERTs there. In its CSV form an
    unquoted empty cell is NULL, except in the NOT NULL columns named in FORCE_NOT_NULL."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    fields = [model._meta.fields[key] for key in keys]
    names = ", ".join(_quoted(field.column_name) for field in fields)
    not_null = ", ".join(_quoted(field.column_name) for field in fields if not field.null)
    options = f"FORMAT csv, FORCE_NOT_NULL ({not_null})"
    db.cursor().copy_expert(f"COPY {_quoted(model._meta.table_name)} ({names}) FROM STDIN WITH ({options})", buffer)


def _insert_defaults(at):
    """Values for the columns the file leaves empty: the model's own defaults."""
    # As text in peewee's own format: binding a datetime costs a Python call per value.
    stamp = at.strftime("%Y-%m-%d %H:%M:%S")
    defaults = {"created_at": stamp, "updated_at": stamp, "stage": "delivered"}
    for key in ("address", "issue_kind", "express", "batch", "note"):
        defaults[key] = Card._meta.fields[key].default
    return defaults


# Reporting -----------------------------------------------------------------------------------


def report_lines(report):
    """The report as lines of Japanese text, for the command line and the audit log."""
    lines = [f"文字コード: {report.encoding}"] if report.encoding else []
    if report.rows:
        lines.append(f"行数: {report.rows}" + _split_by_visit_type(report, ("new", "updated", "unchanged")))
        for status, label in (("new", "新規"), ("updated", "更新"), ("unchanged", "変更なし")):
            lines.append(f"{label}: {getattr(report, status)}" + _split_by_visit_type(report, (status,)))
    if report.problems:
        lines.append(f"エラー: {len(report.problems)}件(1件でもあれば何も登録しません)")
        lines.extend(_problem_line(problem) for problem in report.problems)
    return lines


def outcome(report):
    """One sentence on what happened to the ledger."""
    if not report.ok:
        return "ファイルに誤りがあるため、何も登録しませんでした。"
    if not report.applied:
        return "確認のみのため、登録していません。"
    if report.new or report.updated:
        return f"登録しました(新規 {report.new}件・更新 {report.updated}件)。"
    return "すべて登録済みで、台帳に変更はありませんでした。"


def _split_by_visit_type(report, statuses):
    """The suffix " (申請時来庁 9 / 交付時来庁 31)": the two paths of issue 5 counted apart."""
    parts = [
        f"{VISIT_TYPE_LABELS[visit_type]} {sum(counts.get(status, 0) for status in statuses)}"
        for visit_type, counts in sorted(report.by_visit_type.items())
    ]
    return f" ({' / '.join(parts)})" if parts else ""


def _problem_line(problem):
    where = f"{problem.line}行目" if problem.line else "ファイル"
    column = f" 列「{problem.column}」" if problem.column else ""
    return f"{where}{column}: {problem.message}"


def audit_detail(filename, profile, report):
    """One line for the 操作ログ: which file, which profile, and the counts."""
    return f"{filename}(取込設定: {profile.label}) " + " ".join(report_lines(report))
