"""Invoices say who they are from: the seller's legal name, address and tax ID (a reseller's for
its customers, the distributor's for everyone else), kept as issued, on the page and in the PDF;
the PDF is rendered to PNG (poppler's pdftoppm) and its text read back (pdftotext)."""
import re
import shutil
import subprocess
from datetime import datetime

import pytest

from app.billing.invoicing import NewInvoiceLine, create_invoice
from app.billing.pdf import render_invoice_pdf
from app.billing.queries import seller_details
from app.extensions import db
from tests import factories as f
from tests.conftest import ARTIFACTS

LONG_DESCRIPTION = ("IDSync Connector for Customers, annual term billed monthly: directory synchronisation for "
                    "Autotask and ConnectWise with the billing integration and the QuickStart set-up service, "
                    "for Customer A Corporation's head office and its three regional branches")
DISTRIBUTOR_SETTINGS = {"DISTRIBUTOR_LEGAL_NAME": "Cloud Distribution Inc.", "DISTRIBUTOR_ADDRESS_LINE1": "1 Distribution Plaza",
                        "DISTRIBUTOR_POSTAL_CODE": "95113", "DISTRIBUTOR_CITY": "San Jose", "DISTRIBUTOR_COUNTRY": "US",
                        "DISTRIBUTOR_TAX_ID": "US-94-1234567"}


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is missing: `make test` installs Debian's poppler-utils (apt-get install -y poppler-utils).")
    return found


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(body)
    return subprocess.run([_poppler("pdftotext"), "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_to_png(body: bytes, name: str) -> list:
    """The PDF's pages as PNG files in tests/artifacts (to look at), 100 dpi."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(body)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run([_poppler("pdftoppm"), "-png", "-r", "100", str(path), str(ARTIFACTS / name)], check=True, timeout=60)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def address_under(page: str, heading: str) -> str:
    """The text of the address under ``heading`` ("From", "Bill to") on the invoice page."""
    block = page.split(f">{heading}</h2>")[1].split("</address>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()


@pytest.fixture
def distributor_settings(app):
    app.config.update(DISTRIBUTOR_SETTINGS)
    yield DISTRIBUTOR_SETTINGS
    app.config.update({name: "" for name in DISTRIBUTOR_SETTINGS})


def test_a_customer_invoice_carries_its_resellers_legal_details_as_issued(client, auth, world):
    # Given the reseller's billing information, and an invoice it issues to its customer
    f.make_billing_info(world.reseller, legal_name="Reseller One LLC", address_line1="100 Market Street", city="Austin",
                        postal_code="78701", country="US", tax_id="US-12-3456789")
    invoice = f.make_invoice(world.customer, (1000,))
    db.session.commit()
    # When the reseller changes its billing information later
    world.reseller.billing_info.legal_name = "Reseller One Holdings LLC"
    db.session.commit()
    # Then the invoice still says who issued it then, with its address and tax ID
    auth.login("admin@customer-a.test")
    page = client.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert address_under(page, "From") == "Reseller One LLC 100 Market Street 78701 Austin, United States Tax ID US-12-3456789"
    assert "Holdings" not in page
    assert seller_details(invoice)["tax_id"] == "US-12-3456789"


def test_a_resellers_invoice_carries_the_distributors_configured_legal_details(client, auth, world, distributor_settings):
    f.make_billing_info(world.distributor, legal_name="Not used when configured")
    invoice = f.make_invoice(world.reseller, (1000,))
    db.session.commit()

    auth.login("admin@reseller.test")
    page = client.get(f"/invoices/{invoice.number}").get_data(as_text=True)

    assert address_under(page, "From") == "Cloud Distribution Inc. 1 Distribution Plaza 95113 San Jose, United States Tax ID US-94-1234567"
    assert invoice.seller_details["name"] == "Cloud Distribution Inc."


def test_without_settings_the_distributors_billing_information_is_its_legal_details(app, world):
    f.make_billing_info(world.distributor, legal_name="Distributor Legal Ltd", tax_id="US-77")

    invoice = f.make_invoice(world.reseller, (1000,))

    assert (invoice.seller_details["name"], invoice.seller_details["tax_id"]) == ("Distributor Legal Ltd", "US-77")


@pytest.mark.parametrize("font", ["auto", "core"])
def test_the_invoice_pdf_shows_the_seller_and_wraps_a_long_description(app, world, distributor_settings, tmp_path, font):
    # Given an invoice of the distributor with a line whose description takes several lines
    f.make_billing_info(world.reseller, legal_name="Reseller One LLC", address_line1="100 Market Street", city="Austin",
                        postal_code="78701", country="US", tax_id="US-12-3456789")
    invoice = create_invoice(world.reseller, "USD", [NewInvoiceLine(LONG_DESCRIPTION, 19_900, 3, 59_700),
                                                     NewInvoiceLine("QuickStart", 25_000, 1, 25_000)],
                             datetime(2026, 5, 1, 12, 0))
    db.session.flush()
    # When it is drawn as PDF and rendered to PNG
    body = render_invoice_pdf(invoice, "en_US", seller_details(invoice), font_setting=font, compress=False)
    pages = pdf_to_png(body, f"invoice-{font}")
    text = pdf_text(body, tmp_path)
    # Then the page is there to look at, and it names the seller with its address and tax ID
    assert len(pages) == 1 and pages[0].stat().st_size > 10_000
    for expected in ("Cloud Distribution Inc.", "1 Distribution Plaza", "95113 San Jose, United States", "Tax ID US-94-1234567",
                     "Reseller One LLC", "Tax ID US-12-3456789", "$597.00", "$931.70"):
        assert expected in text, expected
    # and the long description wraps onto several lines, each with plain single spaces between its
    # words (a justified line, fpdf2's default, stretches them: gaps of 7-12 pt instead of ~3 pt)
    lines = description_lines(body, tmp_path)
    assert len(lines) >= 4
    gaps = [following[0] - word[1] for words in lines for word, following in zip(words, words[1:])]
    assert max(gaps) - min(gaps) < 1.5, gaps


WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


def description_lines(body: bytes, tmp_path) -> list[list[tuple[float, float]]]:
    """(left, right) of each word of LONG_DESCRIPTION in the description column, per printed line."""
    path = tmp_path / "words.pdf"
    path.write_bytes(body)
    boxes = subprocess.run([_poppler("pdftotext"), "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    known = set(LONG_DESCRIPTION.split())
    lines: dict[int, list[tuple[float, float]]] = {}
    for left, top, right, word in WORD_BOX.findall(boxes):
        if word.replace("&apos;", "'") in known and float(left) < 320:
            lines.setdefault(round(float(top)), []).append((float(left), float(right)))
    return [sorted(words) for _, words in sorted(lines.items()) if len(words) >= 3]
