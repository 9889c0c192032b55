"""Billing forms offer the ISO 3166-1 countries, named in the marketplace's locale, and refuse
anything else on the server."""
import re

import pycountry

from app.accounts.models import BillingInfo
from app.billing.countries import country_choices, is_country
from app.extensions import db
from tests import factories as f

OPTION = re.compile(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>')
NOT_COUNTRIES = {"EU": "European Union", "EZ": "Eurozone", "QO": "Outlying Oceania", "XA": "Pseudo-Accents",
                 "XB": "Pseudo-Bidi", "ZZ": "Unknown Region", "UN": "United Nations"}


def _offered(response) -> dict[str, str]:
    select = response.get_data(as_text=True).split('name="country"')[1].split("</select>")[0]
    return {code: name for code, name in OPTION.findall(select) if code}


def test_country_choices_are_exactly_the_iso_3166_countries():
    codes = [code for code, _ in country_choices()]
    assert sorted(codes) == sorted(country.alpha_2 for country in pycountry.countries)
    assert len(codes) == len(set(codes)) == 249
    assert not set(NOT_COUNTRIES) & set(codes)
    assert is_country("DE") and not is_country("EU") and not is_country("de") and not is_country(None)


def test_billing_form_offers_real_countries_by_name(client, auth, world):
    auth.login("admin@reseller.test")

    offered = _offered(client.get("/account/billing"))

    assert (offered["US"], offered["DE"], offered["CI"]) == ("United States", "Germany", "Côte d’Ivoire")
    assert len(offered) == 249
    assert not set(NOT_COUNTRIES.values()) & set(offered.values())


def test_billing_form_names_countries_in_the_marketplace_locale(client, auth, world):
    germany = f.make_marketplace("DE", "EUR", tax_rate_bp=1900, locale="de_DE", country="DE")
    db.session.commit()
    auth.login("admin@reseller.test")
    client.post("/region", data={"region": germany.code})

    offered = _offered(client.get("/account/billing"))

    assert (offered["DE"], offered["AT"], offered["US"]) == ("Deutschland", "Österreich", "Vereinigte Staaten")


def test_a_territory_that_is_not_a_country_is_refused_and_nothing_saved(client, auth, world):
    auth.login("admin@reseller.test")
    form = {"legal_name": "Reseller One Inc.", "address_line1": "1 Main St", "city": "Brussels", "postal_code": "1000",
            "billing_email": "ap@reseller.example"}

    refused = [client.post("/account/billing", data={**form, "country": code}).status_code for code in ("EU", "QO", "XA", "ZZ", "de")]

    assert refused == [400] * 5
    assert db.session.query(BillingInfo).filter_by(organisation_id=world.reseller.id).count() == 0
    saved = client.post("/account/billing", data={**form, "country": "BE"})
    assert saved.status_code == 302
    assert db.session.query(BillingInfo).filter_by(organisation_id=world.reseller.id).one().country == "BE"
