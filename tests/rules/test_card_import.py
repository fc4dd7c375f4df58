import datetime
import json
from pathlib import Path

import pytest

from models import Card, CardEvent
from rules import card_import
from tests.card_csv import HEADER, card_rows, csv_bytes
from tests.factories import gen_card, gen_user

REQUIRED_COLUMNS = {"ID": "application_form_id", "名": "name", "カナ": "kana", "生": "birth_date", "区分": "visit_type"}
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "card_list_default.csv"


@pytest.fixture
def profile():
    return card_import.load_profile("default", card_import.profile_directories("/nonexistent"))


def problems_of(report):
    return [(problem.line, problem.column, problem.message) for problem in report.problems]


def test_sample_file_previews_then_applies(database, profile):
    """Does the sample CSV preview as 40 new cards, then apply with one 納品 event per card?"""
    data = SAMPLE.read_bytes()
    report = card_import.preview(data, profile)
    assert report.ok and report.encoding == "CP932(Shift_JIS)"
    assert (report.rows, report.new, report.updated, report.unchanged) == (40, 40, 0, 0)
    assert Card.select().count() == 0
    report = card_import.apply(data, profile)
    assert report.applied and Card.select().count() == 40
    assert CardEvent.select().where(CardEvent.to_stage == "delivered").count() == 40
    card = Card.get(Card.application_form_id == "22534339120925354986867")
    assert card.name == "髙橋\u3000健一" and card.birth_date == datetime.date(1980, 4, 3)
    assert (card.visit_type, card.issue_kind, card.sex, card.stage) == ("at_issuance", "new", "female", "delivered")
    assert Card.get(Card.notice_number == "6MM-327916").express is True


def test_sample_counts_visit_types_apart(database, profile):
    """Are 申請時来庁 and 交付時来庁 rows counted separately, in the report and its text?"""
    report = card_import.preview(SAMPLE.read_bytes(), profile)
    assert report.by_visit_type["at_application"]["new"] == 10
    assert report.by_visit_type["at_issuance"]["new"] == 30
    assert "新規: 40 (申請時来庁 10 / 交付時来庁 30)" in card_import.report_lines(report)


def test_reimport_changes_nothing(database, profile):
    """Does importing the same file twice leave the ledger, its timestamps and history untouched?"""
    data = SAMPLE.read_bytes()
    card_import.apply(data, profile)
    before = list(Card.select().order_by(Card.id).tuples())
    report = card_import.apply(data, profile)
    assert report.applied and (report.new, report.updated, report.unchanged) == (0, 0, 40)
    assert list(Card.select().order_by(Card.id).tuples()) == before
    assert CardEvent.select().count() == 40


def test_changed_row_updates_only_that_card(database, profile):
    """Is a changed address an update of that card alone, keeping its stage and history?"""
    rows = card_rows(5)
    card_import.apply(csv_bytes(rows), profile)
    Card.update(stage="inspected").execute()
    rows[2]["住所"] = "安芸市土居1番1号"
    rows[2]["氏名フリガナ"] = "ｱｷ ｼﾞﾛｳ"
    report = card_import.apply(csv_bytes(rows), profile)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 4)
    card = Card.get(Card.application_form_id == rows[2]["申請書ID"])
    assert card.address == "安芸市土居1番1号" and card.stage == "inspected"
    assert (card.kana, card.kana_key) == ("アキ\u3000ジロウ", "アキジロウ")
    assert CardEvent.select().count() == 5


def test_received_date_is_kept_on_the_card(database, profile):
    """Is the 申請受付日 stored on the card, written in 西暦 or 和暦, and a changed one an update?"""
    rows = card_rows(8)
    card_import.apply(csv_bytes(rows), profile)
    received = dict(Card.select(Card.application_form_id, Card.received_on).tuples())
    assert received[rows[0]["申請書ID"]] == datetime.date(2026, 5, 20)  # R8.5.20
    assert received[rows[1]["申請書ID"]] == datetime.date(2026, 5, 12)
    rows[1]["申請受付日"] = "2026/05/13"
    report = card_import.apply(csv_bytes(rows), profile)
    assert (report.updated, report.unchanged) == (1, 7)
    assert Card.get(Card.application_form_id == rows[1]["申請書ID"]).received_on == datetime.date(2026, 5, 13)


def test_awkward_values_are_stored_exactly(database, profile):
    """Are a line break, quotes and commas in a cell, and empty optional cells, stored as written?"""
    rows = card_rows(2)
    rows[0]["住所"] = '安芸市土居1番\n「ハイツ, 2号」"東"'
    rows[1].update({"住所": "", "交付通知書番号": "", "性別": "", "カード有効期限": ""})
    card_import.apply(csv_bytes(rows), profile)
    first = Card.get(Card.application_form_id == rows[0]["申請書ID"])
    second = Card.get(Card.application_form_id == rows[1]["申請書ID"])
    assert first.address == '安芸市土居1番\n「ハイツ, 2号」"東"'
    assert (second.address, second.notice_number, second.sex, second.card_expiry) == ("", None, None, None)


def test_empty_cell_keeps_ledger_value(database, profile):
    """Does an empty optional cell leave what the ledger already holds?"""
    rows = card_rows(1)
    card_import.apply(csv_bytes(rows), profile)
    rows[0]["カード有効期限"] = ""
    report = card_import.apply(csv_bytes(rows), profile)
    assert report.unchanged == 1
    assert Card.get().card_expiry is not None


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("cp932", "CP932(Shift_JIS)"), ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8(BOM付き)")],
)
def test_encodings_are_detected(database, profile, encoding, label):
    """Are CP932, UTF-8 and UTF-8 with BOM files read alike, including 髙 and ①?"""
    rows = card_rows(3)
    rows[0]["氏名"] = "髙橋\u3000一郎"
    rows[1]["住所"] = "安芸市川北甲7番15号\u3000安芸ハイツ①号室"
    report = card_import.apply(csv_bytes(rows, encoding), profile)
    assert report.applied and report.encoding == label
    assert Card.get(Card.application_form_id == rows[0]["申請書ID"]).name == "髙橋\u3000一郎"
    assert Card.get(Card.application_form_id == rows[1]["申請書ID"]).address.endswith("①号室")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "euc-jp"])
def test_unknown_encoding_is_refused(database, profile, encoding):
    """Is a file in another encoding refused with one clear message, nothing written?"""
    rows = [{**row, "氏名": "山田\u3000花子"} for row in card_rows(3)]
    report = card_import.apply(csv_bytes(rows, encoding), profile)
    assert not report.applied and Card.select().count() == 0
    messages = " ".join(problem.message for problem in report.problems)
    assert "文字コード" in messages


def test_missing_mapped_column_is_one_clear_error(database, profile):
    """Is a file without the 生年月日 column refused with one error naming that column on line 1?"""
    header = tuple(column for column in HEADER if column != "生年月日")
    report = card_import.apply(csv_bytes(card_rows(3), header=header), profile)
    assert problems_of(report) == [(1, "生年月日", "列「生年月日」がありません(取込設定で必要な列です)。")]
    assert Card.select().count() == 0


def test_impossible_date_names_line_and_column(database, profile):
    """Is 生年月日 R8.2.30 on the third data row reported as line 4, column 生年月日?"""
    rows = card_rows(5)
    rows[2]["生年月日"] = "R8.2.30"
    report = card_import.apply(csv_bytes(rows), profile)
    assert problems_of(report) == [(4, "生年月日", "「R8.2.30」は存在しない日付です。")]
    assert not report.applied and Card.select().count() == 0


def test_duplicate_form_id_inside_file(database, profile):
    """Is a 申請書ID that appears twice in the file reported on both lines?"""
    rows = card_rows(4)
    rows[3]["申請書ID"] = rows[0]["申請書ID"]
    report = card_import.apply(csv_bytes(rows), profile)
    form_id = rows[0]["申請書ID"]
    message = f"申請書ID「{form_id}」がファイル内で重複しています(2行目・5行目)。"
    assert problems_of(report) == [(2, "申請書ID", message), (5, "申請書ID", message)]
    assert Card.select().count() == 0


@pytest.mark.parametrize("form_id", ["1234567890123456789012", "123456789012345678901234", "12345678901234567890abc"])
def test_wrong_length_form_id(database, profile, form_id):
    """Is a 申請書ID of 22, 24 characters or with letters refused, without echoing the digits?"""
    rows = card_rows(2)
    rows[1]["申請書ID"] = form_id
    report = card_import.apply(csv_bytes(rows), profile)
    [(line, column, message)] = problems_of(report)
    assert (line, column) == (3, "申請書ID") and "23桁の数字" in message and form_id not in message
    assert Card.select().count() == 0


def test_one_bad_row_among_ten_thousand(database, profile):
    """Does one bad notice number among 10,000 rows refuse the whole file, naming line and column?"""
    rows = card_rows(10_000)
    rows[6789]["交付通知書番号"] = "AB-12345"
    report = card_import.apply(csv_bytes(rows), profile)
    assert not report.applied and report.rows == 10_000
    [(line, column, message)] = problems_of(report)
    assert (line, column) == (6791, "交付通知書番号") and "AB-12345" in message
    assert Card.select().count() == 0 and CardEvent.select().count() == 0


def test_notice_number_forms_are_normalised(database, profile):
    """Are notice numbers without hyphen, full width or in lower case stored as AAA-999999?"""
    rows = card_rows(3)
    rows[0]["交付通知書番号"] = "6a6244944"
    rows[1]["交付通知書番号"] = "ＹＲＣ－１９８７０２"
    rows[2]["交付通知書番号"] = "Q42ー992748"
    card_import.apply(csv_bytes(rows), profile)
    assert sorted(Card.select(Card.notice_number).tuples()) == [("6A6-244944",), ("Q42-992748",), ("YRC-198702",)]


def test_notice_number_of_another_card_is_refused(database, profile):
    """Is a notice number the ledger already gives to another card refused before writing?"""
    gen_card(notice_number="ABC-000123")
    rows = card_rows(2)
    rows[1]["交付通知書番号"] = "ABC-000123"
    report = card_import.apply(csv_bytes(rows), profile)
    [(line, column, message)] = problems_of(report)
    assert (line, column) == (3, "交付通知書番号") and "別のカード" in message
    assert Card.select().count() == 1


def test_half_width_kana_is_normalised(database, profile):
    """Is half-width and hiragana kana stored as full-width katakana with its matching key?"""
    rows = card_rows(2)
    rows[0]["氏名フリガナ"] = "ﾜﾀﾅベ ｲﾁﾛｳ"
    rows[1]["氏名フリガナ"] = "やまだ　はなこ"
    card_import.apply(csv_bytes(rows), profile)
    first = Card.get(Card.application_form_id == rows[0]["申請書ID"])
    assert (first.kana, first.kana_key) == ("ワタナベ\u3000イチロウ", "ワタナベイチロウ")
    assert Card.get(Card.application_form_id == rows[1]["申請書ID"]).kana == "ヤマダ\u3000ハナコ"


def test_bad_values_are_each_reported(database, profile):
    """Are a non-kana フリガナ, an unknown 来庁区分, an empty 氏名 and an over-long 住所 each reported?"""
    rows = card_rows(4)
    rows[0]["氏名フリガナ"] = "Yamada Taro"
    rows[1]["来庁区分"] = "郵送"
    rows[2]["氏名"] = " "
    rows[3]["住所"] = "安" * 201
    report = card_import.preview(csv_bytes(rows), profile)
    assert [(line, column) for line, column, _ in problems_of(report)] == [
        (2, "氏名フリガナ"),
        (3, "来庁区分"),
        (4, "氏名"),
        (5, "住所"),
    ]
    assert "申請時来庁・交付時来庁のいずれか" in report.problems[1].message
    assert report.problems[2].message == "氏名が入力されていません。"


def test_twelve_digit_number_is_never_repeated(database, profile):
    """Does an error on a cell holding 12 digits (a possible 個人番号) leave the digits out?"""
    rows = card_rows(1)
    rows[0]["生年月日"] = "123456789012"
    report = card_import.preview(csv_bytes(rows), profile)
    text = " ".join(card_import.report_lines(report))
    assert "123456789012" not in text and "表示しません" in text


def test_line_numbers_count_blank_lines_and_line_breaks_in_cells(database, profile):
    """Do line numbers follow the file as a person counts, past a blank line and a quoted line break?"""
    rows = card_rows(3)
    rows[0]["住所"] = "安芸市土居1番\n2号"
    rows[2]["生年月日"] = "R8.2.30"
    data = csv_bytes(rows).replace(b"\r\n", b"\r\n\r\n", 2)
    report = card_import.preview(data, profile)
    assert report.rows == 3
    assert problems_of(report) == [(7, "生年月日", "「R8.2.30」は存在しない日付です。")]


def test_line_break_in_an_unmapped_column_counts_too(database, profile):
    """Does a line break inside a column the profile ignores still move the line numbers below it?"""
    rows = card_rows(2)
    rows[0]["備考"] = "一行目\n二行目"
    rows[1]["生年月日"] = "R8.2.30"
    report = card_import.preview(csv_bytes(rows, header=(*HEADER, "備考")), profile)
    assert problems_of(report) == [(4, "生年月日", "「R8.2.30」は存在しない日付です。")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "ファイルが空です。"),
        (b"\xef\xbb\xbf", "ファイルが空です。"),
        (csv_bytes([]), "データの行がありません。"),
        (csv_bytes(card_rows(2)) + b'"unterminated,\r\n', "CSVとして読めません。"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "文字コードを判別できません。"),
    ],
)
def test_files_that_are_not_a_card_list(database, profile, data, message):
    """Is an empty file, a header without rows, a broken quote or an image refused with one message?"""
    report = card_import.apply(data, profile)
    assert not report.applied and len(report.problems) == 1 and message in report.problems[0].message


def test_ragged_row_is_refused(database, profile):
    """Is a row of stray cells refused, every problem on its own line number?"""
    data = csv_bytes(card_rows(2)) + b"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\r\n"
    report = card_import.preview(data, profile)
    assert not report.ok and {problem.line for problem in report.problems} == {4}


def test_event_records_the_importing_user(database, profile):
    """Does each 納品 event name the staff member who imported?"""
    clerk = gen_user("clerk")
    card_import.apply(csv_bytes(card_rows(2)), profile, user=clerk)
    assert [event.user_id for event in CardEvent.select()] == [clerk.id, clerk.id]


def test_progress_is_reported_per_chunk(database, profile):
    """Is progress reported as rows written out of the total, ending at the total?"""
    seen = []
    card_import.apply(csv_bytes(card_rows(2500)), profile, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_second_profile_reads_another_layout(database, tmp_path):
    """Does a profile written by an administrator read another column order and naming, without code?"""
    folder = tmp_path / "import_profiles"
    folder.mkdir()
    other = {
        "label": "他市形式",
        "columns": {
            "カナ氏名": "kana",
            "漢字氏名": "name",
            "申請ID": "application_form_id",
            "誕生日": "birth_date",
            "区分": "visit_type",
            "至急": "express",
        },
        "values": {"visit_type": {"1": "at_application", "2": "at_issuance"}, "express": {"○": True}},
    }
    (folder / "other.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    directories = card_import.profile_directories(tmp_path)
    assert card_import.profile_choices(directories) == [
        ("default", "統合端末 カード発行一覧(標準)"),
        ("other", "他市形式"),
    ]
    profile = card_import.load_profile("other", directories)
    data = "カナ氏名,漢字氏名,申請ID,誕生日,区分,至急\nヤマダ　ハナコ,山田　花子,12345678901234567890123,S55.4.3,2,○\n"
    report = card_import.apply(data.encode("utf-8"), profile)
    assert report.applied
    card = Card.get()
    assert (card.name, card.visit_type, card.express, card.address) == ("山田　花子", "at_issuance", True, "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"columns": {"申請書ID": "application_form_id"}}, "必須項目の列の指定がありません"),
        ({"columns": {"ID": "application_form_id", "X": "my_number"}}, "不明な項目があります: my_number"),
        ("[1, 2]", "JSONのオブジェクト"),
        ({"columns": REQUIRED_COLUMNS, "values": {"sex": {"M": "man"}}}, "「性別」の値が正しくありません: man"),
        ({"columns": REQUIRED_COLUMNS, "values": {"express": {"○": "yes"}}}, "「特急」の値が正しくありません: yes"),
        ("{broken", r"JSONが読めません\(1行目2文字目付近\)"),
    ],
)
def test_unusable_profile_is_refused(tmp_path, content, message):
    """Is a profile with a missing required field, an unknown field, a wrong value or broken JSON refused?"""
    folder = tmp_path / "import_profiles"
    folder.mkdir()
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    (folder / "bad.json").write_text(text, encoding="utf-8")
    with pytest.raises(card_import.ProfileError, match=message):
        card_import.load_profile("bad", card_import.profile_directories(tmp_path))


@pytest.mark.parametrize("name", ["../secret", "", "a/b", "none"])
def test_profile_name_cannot_leave_the_folder(tmp_path, name):
    """Is a profile name with a path, or of no file, refused?"""
    with pytest.raises(card_import.ProfileError):
        card_import.load_profile(name, card_import.profile_directories(tmp_path))


def test_an_import_leaves_fresh_planner_statistics(database, profile):
    """PostgreSQL: after an import, are the card tables analysed? (Until autovacuum gets there the planner
    takes the just-filled tables for empty: a year's statistics took 17 s instead of 0.04 s.)"""
    if database.obj.__class__.__name__.endswith("SqliteDatabase"):
        pytest.skip("SQLite plans without statistics")
    assert card_import.apply(csv_bytes(card_rows(5)), profile).applied
    query = "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() AND last_analyze IS NOT NULL"
    assert {"card", "card_event"} <= {table for (table,) in database.execute_sql(query)}
