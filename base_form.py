"""The base of every form: Flask-WTF's CSRF protection, with WTForms' own messages in Japanese.

The catalogue is loaded once per process (WTForms' translations cache); Flask-WTF's own i18n,
switched off in the config, would read it again on every request."""

from flask_wtf import FlaskForm


class KofuForm(FlaskForm):
    class Meta:
        locales = ("ja",)
