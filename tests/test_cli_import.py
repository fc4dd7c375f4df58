from pathlib import Path

from cli import import_cards_command
from models import AuditLog, Card
from tests.card_csv import card_rows, csv_bytes

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "card_list_default.csv"


def test_import_cards_applies_and_prints_report(runner, database):
    """Does `import-cards` import the sample, print the Japanese report, exit 0 and audit the import?"""
    result = runner.invoke(import_cards_command, [str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "新規: 40 (申請時来庁 10 / 交付時来庁 30)" in result.output
    assert "登録しました(新規 40件・更新 0件)。" in result.output
    assert Card.select().count() == 40
    entry = AuditLog.get(AuditLog.action == "import")
    assert entry.model == "Card" and "card_list_default.csv" in entry.detail and "新規: 40" in entry.detail


def test_second_import_says_nothing_changed(runner, database):
    """Does importing the sample again exit 0 and say the ledger did not change?"""
    runner.invoke(import_cards_command, [str(SAMPLE)])
    result = runner.invoke(import_cards_command, [str(SAMPLE)])
    assert result.exit_code == 0 and "変更なし: 40" in result.output
    assert "すべて登録済みで、台帳に変更はありませんでした。" in result.output


def test_refused_file_prints_no_counts(runner, database, tmp_path):
    """Does a file refused before its rows are read show only the reason, not zero counts?"""
    path = tmp_path / "other.csv"
    path.write_text("申請書ID,氏名\n1,2\n", encoding="utf-8")
    result = runner.invoke(import_cards_command, [str(path)])
    assert result.exit_code == 1 and "行数" not in result.output
    assert "1行目 列「生年月日」: 列「生年月日」がありません(取込設定で必要な列です)。" in result.output


def test_dry_run_writes_nothing(runner, database):
    """Does --dry-run report a valid file with exit 0 and write no card?"""
    result = runner.invoke(import_cards_command, [str(SAMPLE), "--dry-run"])
    assert result.exit_code == 0 and "確認のみ" in result.output
    assert Card.select().count() == 0 and not AuditLog.select().where(AuditLog.action == "import").exists()


def test_refused_file_exits_non_zero(runner, database, tmp_path):
    """Does a file with an impossible date exit non-zero, name line and column, and write nothing?"""
    rows = card_rows(3)
    rows[1]["生年月日"] = "R8.2.30"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    result = runner.invoke(import_cards_command, [str(path)])
    assert result.exit_code == 1
    assert "3行目 列「生年月日」: 「R8.2.30」は存在しない日付です。" in result.output
    assert "何も登録しませんでした" in result.output and Card.select().count() == 0


def test_unknown_profile_exits_non_zero(runner, database):
    """Is an unknown --profile refused before the file is read?"""
    result = runner.invoke(import_cards_command, [str(SAMPLE), "--profile", "nothing"])
    assert result.exit_code == 1 and "取込設定「nothing」がありません。" in result.output


def test_profile_from_data_folder(runner, database, app, tmp_path):
    """Is a profile placed in the data folder's import_profiles/ usable by name?"""
    folder = Path(app.config["DATA_DIR"]) / "import_profiles"
    folder.mkdir()
    default = (Path(__file__).resolve().parents[1] / "data" / "import_profiles" / "default.json").read_text()
    (folder / "copy.json").write_text(default.replace("(標準)", "(写し)"), encoding="utf-8")
    result = runner.invoke(import_cards_command, [str(SAMPLE), "--profile", "copy", "--dry-run"])
    assert result.exit_code == 0 and "新規: 40" in result.output
