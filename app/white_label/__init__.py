"""A reseller's white-label storefront (seed 003), public: ``/s/<reseller-slug>/``, and the root
of the reseller's own domain (Standard) by the request's Host. It shows the storefront's catalog
content (``app.catalog.pages``) at that reseller's customer prices, under the reseller's name,
logo, colours and contact; visitors sign up there as that reseller's customers. A storefront
that is not open answers 404."""
from flask import Blueprint

bp = Blueprint("white_label", __name__, url_prefix="/s/<shop>")

from app.white_label import routes  # noqa: E402,F401
