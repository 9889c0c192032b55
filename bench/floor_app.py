"""The framework floor: a bare Flask app rendering, from memory, a Jinja page of product cards of
the same byte size as the catalog page (``FLOOR_PAGE_BYTES``). No database, no session, no
extensions: what Flask, Jinja and gunicorn cost on this machine for a page this big."""
from __future__ import annotations

import os

from flask import Flask, render_template
from jinja2 import DictLoader

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Catalog · Cloud Marketplace</title>
<link rel="stylesheet" href="/static/vendor/bootstrap/bootstrap.min.css"></head>
<body><main class="container"><h1 class="h3">All products</h1>
<div class="row row-cols-1 row-cols-sm-2 row-cols-xl-3 g-3">
{% for card in cards %}
<div class="col"><article class="card h-100 shadow-sm product-card"><div class="card-body d-flex flex-column">
<p class="vendor text-body-secondary mb-1">{{ card.vendor }}</p>
<h3 class="h5 card-title"><a class="stretched-link text-decoration-none" href="/products/{{ card.slug }}">{{ card.name }}</a></h3>
<p class="card-text small text-body-secondary flex-grow-1">{{ card.summary }}</p>
<p class="mb-0"><span class="small text-body-secondary">from</span> <span class="fw-semibold">{{ card.price }}</span>
<span class="small text-body-secondary">per month</span></p></div>
<div class="card-footer bg-transparent small text-body-secondary">{{ card.category }}</div></article></div>
{% endfor %}
</div></main><!-- {{ padding }} --></body></html>"""


def _cards(count: int) -> list[dict]:
    return [dict(vendor=f"Vendor {n:02d}", slug=f"product-{n:04d}", name=f"Product {n:04d} Suite",
                 summary=f"Product {n:04d}: subscriptions for teams of every size, billed monthly or yearly.",
                 price=f"${n % 90 + 9}.99", category="Cloud services") for n in range(count)]


def create_floor_app(page_bytes: int) -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"floor.html": TEMPLATE})  # compiled once and cached, as the app's templates
    template = app.jinja_env.get_template("floor.html")
    with app.app_context():
        one = len(template.render(cards=_cards(1), padding="").encode())
        two = len(template.render(cards=_cards(2), padding="").encode())
        count = max(1, (page_bytes - one) // max(1, two - one) + 1)
        while count > 1 and len(template.render(cards=_cards(count), padding="").encode()) > page_bytes:
            count -= 1
        cards = _cards(count)
        padding = "x" * max(0, page_bytes - len(template.render(cards=cards, padding="").encode()))

    @app.get("/")
    def floor_page():
        return render_template("floor.html", cards=cards, padding=padding)

    return app


app = create_floor_app(int(os.environ.get("FLOOR_PAGE_BYTES", "22000")))
