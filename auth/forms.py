from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from base_form import KofuForm
from rules import settings
from rules.passwords import policy_problems, verify_password


class LoginForm(KofuForm):
    login = StringField(
        "ログインID",
        validators=[
            DataRequired("ログインIDを入力してください。"),
            Length(max=64, message="ログインIDは64文字以内で入力してください。"),
        ],
    )
    password = PasswordField(
        "パスワード",
        validators=[
            DataRequired("パスワードを入力してください。"),
            Length(max=128, message="パスワードは128文字以内で入力してください。"),
        ],
    )


class PasswordChangeForm(KofuForm):
    current_password = PasswordField(
        "現在のパスワード", validators=[DataRequired("現在のパスワードを入力してください。")]
    )
    new_password = PasswordField(
        "新しいパスワード",
        validators=[
            DataRequired("新しいパスワードを入力してください。"),
            Length(max=128, message="パスワードは128文字以内で入力してください。"),
        ],
    )
    confirm = PasswordField(
        "新しいパスワード(確認)",
        validators=[EqualTo("new_password", "確認用のパスワードが一致しません。")],
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field):
        if not verify_password(self.user.password_hash, field.data):
            raise ValueError("現在のパスワードが正しくありません。")

    def validate_new_password(self, field):
        problems = policy_problems(field.data, self.user.login, settings.get("password_min_length"))
        if problems:
            raise ValueError(" ".join(problems))
