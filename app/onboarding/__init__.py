"""Getting in: sign-up of an organisation with its first administrator, the e-mail
verification link, and the "forgot password" link. The pages of ``app.accounts``' services
that send e-mail: they live above ``accounts`` and ``mail`` (``mail`` imports ``accounts``), so
that neither imports the other's pages."""
from flask import Blueprint

bp = Blueprint("onboarding", __name__)

from app.onboarding import routes  # noqa: E402,F401
