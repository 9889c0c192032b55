"""Driving the cart and checkout through HTTP, as a browser would post the forms."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass


def term_of(plan, code="monthly"):
    return next(term for term in plan.terms if term.code == code)


def add_to_cart(client, term, postponed=False, follow_redirects=False, **quantities):
    data = {"plan_term_id": str(term.id), **{f"qty-{code}": str(value) for code, value in quantities.items()}}
    if postponed:
        data["postponed_billing"] = "y"
    return client.post("/cart/add", data=data, follow_redirects=follow_redirects)


@dataclass
class CheckoutPage:
    status: int
    text: str
    fingerprint: str
    idempotency_key: str
    terms: list[str]

    def total(self, which: str) -> str:
        return html.unescape(re.search(rf'data-total="{which}">([^<]+)<', self.text).group(1)).strip()


def open_checkout(client) -> CheckoutPage:
    response = client.get("/checkout")
    assert response.status_code == 200, response.headers.get("Location")
    return parse_checkout(response)


def parse_checkout(response) -> CheckoutPage:
    text = response.get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]*)"', text).group(1)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]*)"', text).group(1)
    terms = [html.unescape(t) for t in re.findall(r'name="terms" value="([^"]+)"', text)]
    return CheckoutPage(response.status_code, text, fingerprint, key, terms)


def place_order(client, page: CheckoutPage, terms=None, payment_method="on_account", **overrides):
    data = {"fingerprint": page.fingerprint, "idempotency_key": page.idempotency_key,
            "terms": page.terms if terms is None else terms, "payment_method": payment_method, **overrides}
    return client.post("/checkout", data=data)


def flashes(response) -> list[str]:
    text = response.get_data(as_text=True)
    return [html.unescape(re.sub(r"\s+", " ", m)).strip() for m in re.findall(r'<div class="alert alert-\w+ alert-dismissible[^>]*>(.*?)<button', text, re.S)]
