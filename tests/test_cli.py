from models import Card, Location, Reservation, Slot, User
from rules import settings
from tests.factories import gen_user


def test_create_user_reads_the_password_from_stdin(runner, database):
    """Does create-user take the password from standard input, never from argv, and hash it?"""
    result = runner.invoke(
        args=["create-user", "--login", "sato", "--name", "佐藤 花子", "--role", "supervisor"],
        input="kofu-password-77\n",
    )
    assert result.exit_code == 0, result.output
    user = User.get(User.login == "sato")
    assert user.role == "supervisor" and "kofu-password-77" not in user.password_hash


def test_create_user_refuses_weak_password_and_duplicates(runner, database):
    """Are a weak password and an existing login refused with a Japanese message?"""
    weak = runner.invoke(args=["create-user", "--login", "sato", "--name", "佐藤", "--role", "clerk"], input="abc\n")
    assert weak.exit_code != 0 and "10文字以上" in weak.output
    gen_user("clerk", login="taken")
    taken = runner.invoke(
        args=["create-user", "--login", "taken", "--name", "x", "--role", "clerk"], input="kofu-password-77\n"
    )
    assert taken.exit_code != 0 and "既に使われています" in taken.output
    assert User.select().count() == 1


def test_init_db_is_safe_to_repeat(runner, database):
    """Does init-db run again without harm and keep every setting's row?"""
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["migrate", "--status"])
    assert "0001_initial" in result.output and "未適用" not in result.output
    assert settings.get("lockout_threshold") == 5


def test_seed_demo_builds_a_realistic_city(runner, database):
    """Does seed-demo fill an empty database with locations, slots, bookings and cards in every stage?"""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert Location.select().count() == 2 and Slot.select().count() > 300
    assert Reservation.select().count() == 200
    assert {card.stage for card in Card.select(Card.stage).distinct()} >= {
        "delivered",
        "notified",
        "issued",
        "disposed",
    }
    over = Slot.select().where(Slot.booked > Slot.capacity).count()
    assert over == 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "既にデータがあります" in again.output


def test_setting_changed_in_the_staff_site_applies_at_once(client, auth, database):
    """Does a setting edited under 管理 → 設定 take effect on the next request of this process?"""
    from models import Setting

    gen_user("admin", login="boss")
    auth.login("boss")
    assert settings.get("lockout_threshold") == 5
    row = Setting.get(Setting.key == "lockout_threshold")
    auth.post(f"/admin/setting/edit/?id={row.id}", {"value": "3"})
    assert settings.get("lockout_threshold") == 3
    page = auth.post(f"/admin/setting/edit/?id={row.id}", {"value": "0"}).get_data(as_text=True)
    assert "1以上にしてください" in page and settings.get("lockout_threshold") == 3
