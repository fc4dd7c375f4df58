from cli import import_qr_scan_command
from models import AuditLog, Card
from rules import settings
from tests.factories import gen_card
from tests.qr_codes import a4_page, image_bytes, payload, pdf_bytes

CODES = [payload(number, visit="1" if number < 2 else "2") for number in range(6)]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_import_registers_every_code_and_exits_zero(runner, database, tmp_path):
    """Does `import-qr-scan` register the codes of a two-page PDF, print the report per page, exit 0 and audit?"""
    path = write(tmp_path, "list.pdf", pdf_bytes([a4_page(CODES[:4]), a4_page(CODES[4:])]))
    result = runner.invoke(import_qr_scan_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "1ページ目: QRコード 4個" in result.output and "2ページ目: QRコード 2個" in result.output
    assert "新規: 6 (申請時来庁 2 / 交付時来庁 4)" in result.output and "登録しました。" in result.output
    assert Card.select().count() == 6
    assert "list.pdf(2ページ) 新規: 6" in AuditLog.get(AuditLog.action == "qr_import").detail


def test_dry_run_writes_nothing(runner, database, tmp_path):
    """Does --dry-run report a good file with exit 0 and register nothing?"""
    path = write(tmp_path, "list.png", image_bytes(a4_page(CODES)))
    result = runner.invoke(import_qr_scan_command, [str(path), "--dry-run", "--decoder", "pyzbar"])
    assert result.exit_code == 0 and "新規: 6" in result.output and "確認のみ" in result.output
    assert Card.select().count() == 0


def test_image_without_codes_exits_non_zero(runner, database, tmp_path):
    """Is a page with no QR code named, with a non-zero exit and nothing registered?"""
    path = write(tmp_path, "blank.jpg", image_bytes(a4_page([]), "JPEG", quality=80))
    result = runner.invoke(import_qr_scan_command, [str(path)])
    assert result.exit_code == 1
    assert "1ページ目: QRコード 0個" in result.output and "QRコードが見つかりません" in result.output


def test_issued_card_exits_non_zero_and_writes_nothing(runner, database, tmp_path):
    """Does one card already issued refuse the whole file with exit 1?"""
    gen_card(application_form_id="90000000000000000000003", notice_number="QRA-000003", stage="issued")
    path = write(tmp_path, "list.png", image_bytes(a4_page(CODES)))
    result = runner.invoke(import_qr_scan_command, [str(path)])
    assert result.exit_code == 1 and "このカードは交付済です" in result.output
    assert Card.select().count() == 1


def test_not_an_image_exits_non_zero(runner, database, tmp_path):
    """Is a file that is no page image refused with the reason?"""
    path = write(tmp_path, "list.csv", b"a,b\n1,2\n")
    result = runner.invoke(import_qr_scan_command, [str(path)])
    assert result.exit_code == 1 and "いずれでもありません" in result.output


def test_decoder_is_chosen_by_setting(runner, database, tmp_path):
    """Does the qr_decoder setting choose the decoder: zxing-cpp reads small modules in a JPEG q60, pyzbar not?"""
    path = write(tmp_path, "small.jpg", image_bytes(a4_page(CODES, module_px=2), "JPEG", quality=60))
    settings.put("qr_decoder", "pyzbar")
    refused = runner.invoke(import_qr_scan_command, [str(path), "--dry-run"])
    assert refused.exit_code == 1 and "QRコードが見つかりません" in refused.output
    settings.put("qr_decoder", "zxing")
    assert runner.invoke(import_qr_scan_command, [str(path), "--dry-run"]).exit_code == 0


def test_unknown_decoder_setting_exits_non_zero(runner, database, tmp_path):
    """Does a qr_decoder setting naming no decoder stop the command with the choices?"""
    settings.put("qr_decoder", "other")
    result = runner.invoke(import_qr_scan_command, [str(write(tmp_path, "list.png", image_bytes(a4_page(CODES))))])
    assert result.exit_code == 1 and "zxing または pyzbar" in result.output
