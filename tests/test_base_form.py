from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice

from base_form import KofuForm


class NumberForm(KofuForm):
    count = IntegerField()
    kind = SelectField(choices=[SelectChoice("a", "A")])


def test_builtin_messages_are_japanese(app):
    """Do WTForms' own messages (no message of ours given) reach the user in Japanese?"""
    with app.test_request_context(method="POST"):
        form = NumberForm(MultiDict({"count": "abc", "kind": "zz"}), meta={"csrf": False})
        assert not form.validate()
        assert form.errors == {"count": ["無効な整数です。"], "kind": ["選択肢が正しくありません。"]}
