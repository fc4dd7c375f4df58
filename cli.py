"""Set-up and operation commands: ``python app.py <command>`` or ``flask --app app <command>``."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from playhouse.migrations import Runner, template
from playhouse.schema_diff import diff_models

import audit
import snapshots
from config import PROJECT_ROOT
from database import write_transaction
from devices.qr_decode import DECODERS, decode_file
from document_store import current_store
from models import ALL_MODELS, ROLES, User, db
from rules import card_import, qr_list_import, settings, uploads
from rules.passwords import hash_password, policy_problems

MIGRATIONS = PROJECT_ROOT / "migrations"


def migration_runner():
    return Runner(db.obj, directory=str(MIGRATIONS))


def upgrade_schema():
    """Apply every pending migration and store the default of any new setting."""
    applied = migration_runner().up()
    settings.ensure_defaults()
    return applied


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema (safe to run again)."""
    applied = upgrade_schema()
    click.echo(f"データベースを初期化しました(適用したマイグレーション: {len(applied)}件)。")


@click.command("migrate")
@click.option("--status", "show_status", is_flag=True, help="適用状況を表示するだけにする")
@with_appcontext
def migrate_command(show_status):
    """Bring a deployed database up to this version's schema."""
    if show_status:
        for migration in migration_runner().status():
            mark = migration.applied.strftime("%Y-%m-%d %H:%M") if migration.applied else "未適用"
            click.echo(f"{migration.name}\t{mark}")
        return
    applied = upgrade_schema()
    click.echo("\n".join(f"適用: {name}" for name in applied) or "適用するマイグレーションはありません。")


@click.command("make-migration")
@click.argument("name")
@with_appcontext
def make_migration_command(name):
    """Write a migration for the difference between models.py and the database (developers)."""
    diff = diff_models(db.obj, list(ALL_MODELS))
    if not diff:
        click.echo("models.py とデータベースに差分はありません。")
        return
    path = migration_runner().create(name, body=template(diff))
    click.echo(f"{path} を作成しました。内容を確認してからコミットしてください。")


@click.command("create-user")
@click.option("--login", required=True, help="ログインID")
@click.option("--name", required=True, help="氏名")
@click.option("--role", required=True, type=click.Choice([role for role, _ in ROLES]), help="権限")
@with_appcontext
def create_user_command(login, name, role):
    """Create a staff account; the password is read from a prompt or from standard input."""
    if User.select().where(User.login == login).exists():
        raise click.ClickException(f"ログインID「{login}」は既に使われています。")
    if sys.stdin.isatty():
        password = click.prompt("パスワード", hide_input=True, confirmation_prompt="パスワード(確認)")
    else:
        password = sys.stdin.readline().rstrip("\n")
    problems = policy_problems(password, login, settings.get("password_min_length"))
    if problems:
        raise click.ClickException(" ".join(problems))
    User.create(login=login, name=name, role=role, password_hash=hash_password(password))
    click.echo(f"職員「{name}」({login}) を作成しました。")


@click.command("seed-demo")
@click.option("--skip-if-present", is_flag=True, help="データがあれば何もせずに終わる")
@with_appcontext
def seed_demo_command(skip_if_present):
    """Fill an empty database with a fictitious demo city."""
    from demo_data import DEMO_PASSWORD, DEMO_USERS, seed_demo

    if User.select().exists():
        if skip_if_present:
            click.echo("データベースに既にデータがあるため、デモデータは作成しませんでした。")
            return
        raise click.ClickException(
            "データベースに既にデータがあります。デモデータは空のデータベースにだけ入れられます。"
        )
    counts = seed_demo()
    click.echo("デモデータを作成しました: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    logins = ", ".join(login for login, _, _ in DEMO_USERS)
    click.echo(f"ログインID: {logins} (パスワードはすべて {DEMO_PASSWORD})")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--connection-limit", default=100, show_default=True, type=int, help="同時に保持する接続の上限")
@with_appcontext
def serve_command(host, port, threads, connection_limit):
    """Serve the app with waitress."""
    import waitress

    click.echo(f"http://{host}:{port}/ で起動します(KOFU_SITE={current_app.config['SITE']})。")
    waitress.serve(
        current_app._get_current_object(),
        host=host,
        port=port,
        threads=threads,
        connection_limit=connection_limit,
        # waitress drops X-Forwarded-* from peers it does not trust; the app's ProxyFix
        # (KOFU_PROXY_COUNT) decides how many of them to believe.
        clear_untrusted_proxy_headers=not current_app.config["PROXY_COUNT"],
        ident="kofu",
    )


@click.command("import-cards")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", "profile_name", default="default", show_default=True, help="取込設定の名前")
@click.option("--dry-run", is_flag=True, help="確認だけして登録しない")
@with_appcontext
def import_cards_command(path, profile_name, dry_run):
    """Import a 統合端末 CSV into the card ledger, all or nothing; exit 0 only when the file is valid."""
    try:
        folders = card_import.profile_directories(current_app.config["DATA_DIR"])
        profile = card_import.load_profile(profile_name, folders)
    except card_import.ProfileError as error:
        raise click.ClickException(str(error)) from None
    data = path.read_bytes()
    if dry_run:
        report = card_import.preview(data, profile)
    else:
        with write_transaction(db):
            report = card_import.apply(data, profile)
            if report.applied:
                audit.record("import", model="Card", detail=card_import.audit_detail(path.name, profile, report))
    click.echo("\n".join(card_import.report_lines(report)))
    if not report.ok:
        raise click.ClickException(card_import.outcome(report))
    click.echo(card_import.outcome(report))


@click.command("import-qr-scan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="確認だけして登録しない")
@click.option("--decoder", type=click.Choice(DECODERS), help="QRコードの読取方式(省略時は設定 qr_decoder)")
@with_appcontext
def import_qr_scan_command(path, dry_run, decoder):
    """Register the cards of a scanned カード発行一覧表 (PDF, PNG, JPEG, TIFF), all or nothing;
    exit 0 only when every page has codes and every code can be registered."""
    max_bytes, max_pages = uploads.limits()
    try:
        decoded = decode_file(
            path.read_bytes(), decoder or settings.get("qr_decoder"), max_bytes=max_bytes, max_pages=max_pages
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    with write_transaction(db):
        report = qr_list_import.plan(decoded) if dry_run else qr_list_import.apply(decoded)
        if report.applied:
            audit.record("qr_import", model="Card", detail=qr_list_import.audit_detail(path.name, report))
    click.echo("\n".join(qr_list_import.report_lines(report)))
    if not report.ok:
        raise click.ClickException("読み取れないページか登録できないコードがあるため、何も登録しませんでした。")
    if dry_run:
        click.echo("確認のみのため、登録していません(--dry-run)。")


@click.command("snapshot")
@click.option("--keep-days", default=14, show_default=True, type=click.IntRange(min=1), help="保存する日数")
@with_appcontext
def snapshot_command(keep_days):
    """Take a verified snapshot of the database and the documents; delete those older than --keep-days."""
    backup_dir = current_app.config["BACKUP_DIR"]
    try:
        snapshot = snapshots.take(backup_dir, current_store(), migration_runner().applied())
    except snapshots.SnapshotError as error:
        raise click.ClickException(str(error)) from None
    documents = snapshot.manifest["documents"]
    click.echo(
        f"スナップショット {snapshot.path} を作成し、試しに復元して検証しました: {snapshot.rows:,}行、"
        f"書類ファイル {documents['files']:,}件(新規 {documents['copied']:,}件、"
        f"前回分を共有 {documents['linked']:,}件、{documents['bytes'] / 1e6:,.1f} MB)。"
    )
    for path in snapshot.manifest["missing_documents"]:
        click.echo(f"警告: データベースが参照する書類 {path} が保存先にありません。", err=True)
    for name in snapshots.prune(backup_dir, keep_days):
        click.echo(f"{keep_days}日より古いスナップショット {name} を削除しました。")


@click.command("snapshots")
@with_appcontext
def list_snapshots_command():
    """List the sealed snapshots, oldest first."""
    found = snapshots.all_snapshots(current_app.config["BACKUP_DIR"])
    for snapshot in found:
        documents = snapshot.manifest["documents"]
        click.echo(f"{snapshot.name}\t{snapshot.rows:,}行\t書類 {documents['files']:,}件\t{snapshot.path}")
    if not found:
        click.echo(f"{current_app.config['BACKUP_DIR']} にスナップショットはありません。")


@click.command("restore")
@click.argument("name")
@click.option("--yes", is_flag=True, help="確認せずに復元する")
@with_appcontext
def restore_command(name, yes):
    """Replace the whole database with snapshot NAME, all or nothing (the current state is kept as a snapshot first)."""
    backup_dir = current_app.config["BACKUP_DIR"]
    try:
        snapshot = snapshots.find(backup_dir, name)
        if not yes:
            click.confirm(
                f"データベースの内容をすべてスナップショット {name} の内容に置き換えます。よろしいですか", abort=True
            )
        upgrade_schema()
        applied = migration_runner().applied()
        before = snapshots.take(backup_dir, current_store(), applied)
        click.echo(f"復元前の状態をスナップショット {before.name} として保存しました。")
        snapshots.restore(snapshot, current_store(), applied)
    except snapshots.SnapshotError as error:
        raise click.ClickException(str(error)) from None
    settings.clear_cache()
    click.echo(f"スナップショット {name} から {snapshot.rows:,}行を復元しました。")


@click.command("verify-snapshot")
@click.argument("name")
@with_appcontext
def verify_snapshot_command(name):
    """Check snapshot NAME again (e.g. after copying it elsewhere): checksum and a trial restore."""
    try:
        snapshots.verify(snapshots.find(current_app.config["BACKUP_DIR"], name))
    except snapshots.SnapshotError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"スナップショット {name} は正常です(チェックサム一致、試しの復元で全表が一致)。")


COMMANDS = (
    init_db_command,
    migrate_command,
    make_migration_command,
    create_user_command,
    seed_demo_command,
    serve_command,
    import_cards_command,
    import_qr_scan_command,
    snapshot_command,
    list_snapshots_command,
    restore_command,
    verify_snapshot_command,
)
