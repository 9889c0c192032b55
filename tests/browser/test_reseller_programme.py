"""Screenshots of the reseller programme: a branded white-label storefront (home and product, at
the reseller's prices) and the sales and margin reports for staff and for the reseller."""
from __future__ import annotations

import struct
import zlib
from datetime import datetime
from uuid import uuid4

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.catalog.models import PlanTerm, Plan, Product
from app.core.clock import FixedClock
from app.core.demo_data import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.orders.validation import effective_quantities
from tests.factories import make_storefront

pytestmark = pytest.mark.browser


def _logo_png(width=160, height=48) -> bytes:
    """A small real PNG: a purple badge with a white bar."""
    rows = b"".join(b"\x00" + b"".join(
        (b"\xff\xff\xff" if 16 <= y < 32 and 20 <= x < 140 else b"\x5b\x21\xb6") for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _buy(app, monkeypatch, email: str, product_slug: str, plan_code: str, when: datetime) -> None:
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(when))
    user = db.session.scalar(select(User).where(User.email == email))
    term = db.session.scalar(select(PlanTerm).join(Plan).join(Product).where(Product.slug == product_slug, Plan.code == plan_code)
                             .order_by(PlanTerm.period_months))
    buyer = user.organisation
    preview = prepare(buyer, buyer.marketplace, [LineRequest(term.id, quantities=effective_quantities(term.plan, {}))], placed_by=user)
    place_order(CheckoutRequest(buyer, user, buyer.marketplace, preview.lines, uuid4().hex, preview.quote.fingerprint,
                                frozenset(terms.token for terms in preview.terms)), when, preview)


def _sign_in(page, live_server, email):
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_branded_reseller_storefront_and_the_reports(app, live_server, page, screenshot, monkeypatch):
    seed_demo()
    reseller = db.session.scalar(select(Organisation).where(Organisation.name == "Reseller One LLC"))
    make_storefront(reseller, slug="reseller-one", display_name="Northwind Cloud", tagline="Cloud services, set up by people who answer the phone",
                    contact_email="hello@northwind.example", contact_phone="+1 617 555 0100", primary_colour="#5b21b6",
                    accent_colour="#2e1065", logo=_logo_png(), logo_content_type="image/png")
    db.session.commit()
    # sales over three months, by the reseller's customer and by the reseller itself
    _buy(app, monkeypatch, "admin@customer-a.example", "prism-desktop", "pro", datetime(2026, 8, 12, 10))
    _buy(app, monkeypatch, "admin@customer-a.example", "vaultguard-backup", "business", datetime(2026, 9, 3, 10))
    _buy(app, monkeypatch, "admin@customer-a.example", "prism-desktop", "enterprise", datetime(2026, 10, 21, 10))
    _buy(app, monkeypatch, "admin@reseller-one.example", "vaultguard-backup", "msp", datetime(2026, 10, 22, 10))
    monkeypatch.delitem(app.config, "CLOCK", raising=False)

    # a visitor opens the reseller's storefront: its name, logo, colours and contact
    page.goto(live_server + "/s/reseller-one/")
    expect(page.locator("[data-storefront-name]")).to_have_text("Northwind Cloud")
    assert page.locator("img.wl-logo").evaluate("image => image.naturalWidth") == 160
    header = page.locator(".wl-header").evaluate("element => getComputedStyle(element).backgroundColor")
    assert header == "rgb(46, 16, 101)"
    expect(page.locator("[data-storefront-contact]")).to_contain_text("hello@northwind.example")
    screenshot("white-label-storefront-home")
    page.get_by_role("link", name="Prism Desktop").click()
    expect(page.get_by_role("heading", name="Prism Desktop", level=1)).to_be_visible()
    assert "/s/reseller-one/products/prism-desktop" in page.url
    expect(page.get_by_role("link", name="For resellers")).to_have_count(0)  # customer plans only
    screenshot("white-label-storefront-product")
    page.goto(live_server + "/s/reseller-one/sign-up")
    expect(page.get_by_role("heading", name="Create an account with Northwind Cloud")).to_be_visible()

    # staff read the reports
    _sign_in(page, live_server, "staff@distributor.example")
    page.goto(live_server + "/staff/reports")
    expect(page.locator("[data-report-row='Reseller One LLC']")).to_be_visible()
    expect(page.locator("[data-report-chart] rect")).to_have_count(6)
    screenshot("reports-staff-by-reseller")
    page.get_by_role("link", name="By month").click()
    expect(page.locator("[data-report-row='2026-10']")).to_be_visible()
    screenshot("reports-staff-by-month")

    # the reseller reads its own
    page.context.clear_cookies()
    _sign_in(page, live_server, "admin@reseller-one.example")
    page.goto(live_server + "/reseller/reports")
    expect(page.locator("[data-report-table='product']")).to_be_visible()
    screenshot("reports-reseller-by-product")
    page.goto(live_server + "/reseller/storefront")
    expect(page.locator("[data-storefront-status]")).to_contain_text("Your storefront is open")
    screenshot("reseller-storefront-settings")
