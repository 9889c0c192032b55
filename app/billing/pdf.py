"""An invoice as a PDF (fpdf2): drawn from the stored invoice only, amounts as issued.

Fonts: DejaVu Sans when its TTF files are on the machine (every currency sign and Babel's
narrow spaces print as they are); otherwise PDF's built-in Helvetica, which knows Latin-1 only,
so the few characters outside it are spelled out ("€" -> "EUR"). No network, no downloads.
``INVOICE_PDF_FONT`` picks: "auto" (default), "core" (Helvetica), or a path to a TTF file.
"""
from __future__ import annotations

import re
from datetime import timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.billing.countries import country_name
from app.billing.models import PaymentMethodName
from app.money import Money

FONT_DIRECTORIES = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
                    "/usr/local/share/fonts")
# What Helvetica cannot print, spelled with what it can.
LATIN1_SPELLING = {"€": "EUR", "₹": "INR", "₽": "RUB", "₺": "TRY", "₩": "KRW", "\xa0": " ", "\u202f": " ", "\u2009": " ",
                   "\u200b": "", "–": "-", "—": "-", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "−": "-"}
SPELLED_CODE_BEFORE_DIGIT = re.compile(r"\b(EUR|INR|RUB|TRY|KRW)(?=[\d-])")


def find_unicode_font(setting: str = "auto") -> tuple[Path, Path | None] | None:
    """(regular, bold) TTF files to use, or ``None`` for the built-in Helvetica."""
    if setting == "core":
        return None
    if setting not in ("", "auto"):
        regular = Path(setting)
        return (regular, None) if regular.is_file() else None
    for directory in FONT_DIRECTORIES:
        regular = Path(directory) / "DejaVuSans.ttf"
        if regular.is_file():
            bold = regular.with_name("DejaVuSans-Bold.ttf")
            return regular, bold if bold.is_file() else None
    return None


class InvoicePdf(FPDF):
    def __init__(self, font: tuple[Path, Path | None] | None) -> None:
        super().__init__(format="A4")
        self.unicode = font is not None
        if font is not None:
            regular, bold = font
            self.add_font("body", "", str(regular))
            self.add_font("body", "B", str(bold or regular))
            self.family = "body"
        else:
            self.family = "helvetica"
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=20)

    def text_of(self, value: str) -> str:
        if self.unicode:
            return value
        spelled = SPELLED_CODE_BEFORE_DIGIT.sub(r"\1 ", "".join(LATIN1_SPELLING.get(character, character) for character in value))
        return spelled.encode("latin-1", "replace").decode("latin-1")

    def write_cell(self, width: float, text: str, *, bold: bool = False, size: float = 10, align: str = "L",
                   border: str | int = 0, new_line: bool = False, height: float = 6) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.cell(width, height, self.text_of(text), border=border, align=align,
                  new_x=XPos.LMARGIN if new_line else XPos.RIGHT, new_y=YPos.NEXT if new_line else YPos.TOP)

    def footer(self) -> None:
        self.set_y(-14)
        self.write_cell(0, f"Page {self.page_no()}", size=8, align="C")


def _address_lines(details: dict, locale: str) -> list[str]:
    lines = [details.get("name", "")]
    lines += [details[key] for key in ("address_line1", "address_line2") if details.get(key)]
    place = " ".join(part for part in (details.get("postal_code"), details.get("city")) if part)
    country = country_name(details.get("country"), locale)
    if place or country:
        lines.append(", ".join(part for part in (place, country) if part))
    if details.get("tax_id"):
        lines.append(f"Tax ID {details['tax_id']}")
    return [line for line in lines if line]


def render_invoice_pdf(invoice, locale: str, seller: dict, *, font_setting: str = "auto", compress: bool = True) -> bytes:
    """The invoice as PDF bytes. ``seller`` is the issuer's details (as ``bill_to``)."""
    pdf = InvoicePdf(find_unicode_font(font_setting))
    pdf.set_compression(compress)
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.set_author(seller.get("name", ""))
    pdf.set_creation_date(invoice.issued_at.replace(tzinfo=timezone.utc))
    pdf.add_page()

    def money(amount: int) -> str:
        return Money(amount, invoice.currency).format(locale)

    pdf.write_cell(110, f"Invoice {invoice.number}", bold=True, size=18, height=10)
    pdf.write_cell(0, invoice.status.upper(), bold=True, size=14, align="R", new_line=True, height=10)
    pdf.ln(2)
    top = pdf.get_y()
    pdf.write_cell(0, "From", bold=True, new_line=True)
    _address_block(pdf, _address_lines(seller, locale), x=pdf.l_margin, width=85)
    from_bottom = pdf.get_y()
    pdf.set_xy(110, top)
    pdf.write_cell(0, "Bill to", bold=True, new_line=True)
    _address_block(pdf, _address_lines(invoice.bill_to or {}, locale), x=110, width=pdf.w - pdf.r_margin - 110)
    pdf.set_y(max(from_bottom, pdf.get_y()) + 4)
    facts = [("Issued", f"{invoice.issued_at:%d %B %Y}"),
             ("Paid" if invoice.status == "paid" and invoice.paid_at else "Due",
              f"{(invoice.paid_at if invoice.status == 'paid' and invoice.paid_at else invoice.due_at):%d %B %Y}"),
             ("Payment", "On account" if invoice.payment_method == PaymentMethodName.ON_ACCOUNT.value else invoice.payment_method.replace("_", " ").capitalize()),
             ("Currency", invoice.currency)]
    if invoice.order is not None:
        facts.insert(0, ("Order", invoice.order.number))
    for label, value in facts:
        pdf.write_cell(30, label, bold=True, height=5)
        pdf.write_cell(0, value, new_line=True, height=5)
    pdf.ln(4)
    _lines_table(pdf, invoice, money)
    _totals(pdf, invoice, money)
    return bytes(pdf.output())


def _address_block(pdf: InvoicePdf, lines: list[str], *, x: float, width: float) -> None:
    """Address lines in a column, a long one wrapped within it (left-aligned, never stretched)."""
    pdf.set_font(pdf.family, "", 10)
    for line in lines:
        pdf.set_x(x)
        pdf.multi_cell(width, 5, pdf.text_of(line), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


COLUMNS = (("#", 8, "L"), ("Description", 84, "L"), ("Unit price", 26, "R"), ("Qty", 12, "R"), ("Amount", 44, "R"))


def _lines_table(pdf: InvoicePdf, invoice, money) -> None:
    for title, width, align in COLUMNS:
        pdf.write_cell(width, title, bold=True, align=align, border="B")
    pdf.ln()
    for line in invoice.lines:
        description = line.description + (f" ({line.period_fraction} of the period)" if line.period_fraction else "")
        y = pdf.get_y()
        pdf.write_cell(COLUMNS[0][1], str(line.position), height=5)
        x = pdf.get_x()
        pdf.set_font(pdf.family, "", 10)
        # Left-aligned: fpdf2's default justification stretches the gaps of every wrapped line.
        pdf.multi_cell(COLUMNS[1][1], 5, pdf.text_of(description), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        bottom = max(pdf.get_y(), y + 6)
        pdf.set_xy(x + COLUMNS[1][1], y)
        for text, (_, width, align) in zip((money(line.unit_price), str(line.quantity), money(line.amount)), COLUMNS[2:]):
            pdf.write_cell(width, text, align=align, height=5)
        pdf.set_y(bottom)
        pdf.ln(1)


def _totals(pdf: InvoicePdf, invoice, money) -> None:
    pdf.ln(2)
    label_width, amount_width = 130, 44
    rows = [("Subtotal", money(invoice.subtotal), False)]
    if invoice.reverse_charge:
        rows.append(("Tax (reverse charge)", money(0), False))
    else:
        rows.append((f"Tax ({invoice.tax_rate_bp / 100:g} %)", money(invoice.tax), False))
    rows.append(("Total", money(invoice.total), True))
    for label, amount, bold in rows:
        pdf.write_cell(label_width, label, bold=bold, align="R", size=12 if bold else 10)
        pdf.write_cell(amount_width, amount, bold=bold, align="R", size=12 if bold else 10, new_line=True,
                       border="T" if bold else 0)
    if invoice.reverse_charge:
        pdf.ln(4)
        pdf.set_font(pdf.family, "", 9)
        pdf.multi_cell(0, 5, pdf.text_of("Reverse charge: no tax charged; the buyer accounts for it in its own country."), align="L")
