"""Staff accounts: sign-in with lockout, sign-out, idle timeout and password change."""

from auth.routes import auth
from extensions import login_manager
from models import User


def register_auth(app):
    login_manager.init_app(app)
    login_manager.user_loader(User.from_session)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(auth)
