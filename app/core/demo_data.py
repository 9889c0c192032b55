"""Demo data for ``flask seed-demo``: a distributor, two resellers, three customers, a catalog
of twelve products in three marketplaces with realistic prices (cost below MSRP).

Prices are written in US cents per month and converted per marketplace; cost is 80 % of MSRP;
annual terms cost ten months. Running it twice changes nothing.
"""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import BillingInfo, Organisation, OrganisationKind, Role, User
from app.catalog.models import (
    Category,
    Marketplace,
    OrderingParameter,
    Plan,
    PlanResource,
    PlanTerm,
    PlanTermPrice,
    PriceList,
    Product,
    Resource,
    ResourceCategory,
    ResourcePrice,
)
from app.core.clock import current_now
from app.extensions import db
from app.money import apply_basis_points

DEMO_PASSWORD = "Marketplace-demo-1"
DEMO_LOGINS = [
    ("staff@distributor.example", "distributor staff (back office)"),
    ("admin@reseller-one.example", "reseller, reselling enabled, on-account credit"),
    ("admin@reseller-two.example", "reseller, not yet enabled (buys at retail)"),
    ("admin@customer-a.example", "customer of reseller one (billing info and on-account credit)"),
    ("admin@customer-b.example", "customer of reseller one"),
    ("admin@customer-c.example", "customer of reseller one"),
]

MARKETPLACES = [
    # code, name, country, currency, locale, tax bp, tax label, tax region, factor vs USD (bp)
    ("US", "United States", "US", "USD", "en_US", 725, "Sales tax", None, 10000),
    ("EU", "European Union", "DE", "EUR", "de_DE", 1900, "VAT", "EU", 9300),
    ("UK", "United Kingdom", "GB", "GBP", "en_GB", 2000, "VAT", None, 7900),
]
COST_BP = 8000  # reseller cost = 80 % of MSRP
ANNUAL_MONTHS_CHARGED = 10

CATEGORIES = [
    ("cloud-services", "Cloud services", None, "Infrastructure, identity and management services from leading vendors."),
    ("cloud-management", "Cloud management services", "cloud-services", "Identity, desktops and operations."),
    ("collaboration", "Email and collaboration", "cloud-services", "Mail, meetings, documents and projects."),
    ("security", "Security and backup", "cloud-services", "Protect devices, data and identities."),
    ("developer-tools", "Developer tools", None, "Desktop and hosted tools for software teams."),
    ("reseller-services", "Reseller services", None, "Services that grow a reseller's own business."),
]

RESOURCE_CATEGORIES = ["Users and seats", "Billing integrations", "QuickStart services", "Storage and add-ons"]

# code, name, unit, kind, measures seats, resource category, description
RESOURCES = [
    ("idsync-users", "Synchronised users", "user", "recurring", True, "Users and seats", "Identities kept in sync"),
    ("idsync-autotask", "IDSync – Autotask billing integration", "integration", "recurring", False, "Billing integrations", "Sync usage into Autotask"),
    ("idsync-connectwise", "IDSync – ConnectWise billing integration", "integration", "recurring", False, "Billing integrations", "Sync usage into ConnectWise"),
    ("qs-autotask", "QuickStart for Autotask billing", "service", "one_time", False, "QuickStart services", "Guided set-up by a specialist"),
    ("qs-connectwise", "QuickStart for ConnectWise billing", "service", "one_time", False, "QuickStart services", "Guided set-up by a specialist"),
    ("prism-seats", "Prism seats", "seat", "recurring", True, "Users and seats", "Named developer seats"),
    ("mail-mailboxes", "Mailboxes", "mailbox", "recurring", True, "Users and seats", "50 GB mailbox each"),
    ("mail-archive", "Mail archiving", "mailbox", "recurring", False, "Storage and add-ons", "Ten-year retention"),
    ("mail-storage", "Extra storage (100 GB)", "pack", "recurring", False, "Storage and add-ons", "Shared storage pack"),
    ("mail-migration", "QuickStart mailbox migration", "service", "one_time", False, "QuickStart services", "We move your existing mail"),
    ("generic-users", "Users", "user", "recurring", True, "Users and seats", "Named users"),
    ("generic-devices", "Protected devices", "device", "recurring", True, "Users and seats", "Laptops, desktops and servers"),
    ("generic-storage", "Backup storage (1 TB)", "pack", "recurring", False, "Storage and add-ons", "Cloud backup storage"),
    ("generic-onboarding", "QuickStart onboarding", "service", "one_time", False, "QuickStart services", "Remote onboarding session"),
    ("storefront-domains", "Custom storefront domain", "domain", "recurring", False, "Storage and add-ons", "Serve your storefront on your domain"),
]

MONTHLY = ("monthly", "Monthly", 1, 1)
ANNUAL = ("annual", "Annual", 12, 12)


def plan(code, name, audience, *, kind="organisation", model="prepaid", postponed=False, price,
         terms=(MONTHLY, ANNUAL), resources=(), description="", features=()):
    return dict(code=code, name=name, audience=audience, kind=kind, model=model, postponed=postponed,
                price=price, terms=terms, resources=resources, description=description, features=[list(f) for f in features])


# The Free and Standard storefront plans side by side (seed 003), shown in each plan's feature table.
STOREFRONT_FEATURES = {
    "free": (("Your storefront at /s/your-name/", "Yes"), ("Your customer prices", "Yes"), ("Name, logo, colours, contact", "Yes"),
             ("Customers join", "By your invitation"), ("Your own domain", "No")),
    "standard": (("Your storefront at /s/your-name/", "Yes"), ("Your customer prices", "Yes"), ("Name, logo, colours, contact", "Yes"),
                 ("Customers join", "Self sign-up or invitation"), ("Your own domain", "Yes, one included")),
}


def res(code, included, minimum, maximum, price, step=1, changeable=True):
    """A plan resource; ``price`` in US cents per unit per month (or once for one-time)."""
    return (code, included, minimum, maximum, step, changeable, price)


MAIL_PARAMETERS = [
    dict(key="data_location", label="Data location", kind="choice", choices=[["us-east", "United States (East)"], ["eu-central", "Europe (Frankfurt)"], ["uk-south", "United Kingdom (London)"]], help_text="Where mailboxes are stored; cannot be changed later."),
    dict(key="domain", label="Domain name", kind="domain", help_text="The customer's mail domain, e.g. example.com. Enter it carefully."),
    dict(key="admin_username", label="Administrator user name", kind="text", default="Admin", max_length=64, help_text="We recommend Admin."),
    dict(key="send_credentials_to", label="Send credentials to", kind="email", required=False, help_text="Who receives the administrator login and password."),
]

PRODUCTS = [
    dict(slug="idsync-identity-synchronizer", name="IDSync Identity Synchronizer", vendor="SyncWorks", category="cloud-management",
         summary="Keep users in sync between directories, PSA and billing systems.",
         description="IDSync connects your customers' directories to your PSA and billing tools. Choose the connector for your own use or for a customer, then add a billing integration for Autotask or ConnectWise and a QuickStart service.",
         plans=[
             plan("connector-resellers", "IDSync Connector for Resellers", "reseller", price=4900, description="Synchronise your own users and billing.",
                  resources=[res("idsync-users", 25, 25, 5000, 150, step=25), res("idsync-autotask", 0, 0, 1, 2900), res("idsync-connectwise", 0, 0, 1, 2900), res("qs-autotask", 0, 0, 1, 49900), res("qs-connectwise", 0, 0, 1, 49900)]),
             plan("connector-customers", "IDSync Connector for Customers", "customer", price=2900, description="Synchronise one customer's users.",
                  resources=[res("idsync-users", 10, 10, 2000, 200, step=5), res("idsync-autotask", 0, 0, 1, 1900), res("idsync-connectwise", 0, 0, 1, 1900), res("qs-autotask", 0, 0, 1, 29900), res("qs-connectwise", 0, 0, 1, 29900)]),
         ]),
    dict(slug="prism-desktop", name="Prism Desktop", vendor="Prism Labs", category="developer-tools",
         summary="The desktop IDE for Kubernetes: every cluster, one window.",
         description="Prism Desktop gives developers a visual, secure view of their clusters. Plus is a single-user subscription activated by the end user; Pro and Enterprise are organisation subscriptions whose seats a customer administrator assigns.",
         plans=[
             plan("plus", "Prism Plus", "customer", kind="single_user", price=1490, description="One developer, one seat. The end user receives an activation invitation.",
                  resources=[res("prism-seats", 1, 1, 1, 1490, changeable=False)]),
             plan("pro", "Prism Pro", "customer", price=2490, description="For teams: seats assigned by the customer administrator.",
                  resources=[res("prism-seats", 1, 1, 500, 2490), res("generic-onboarding", 0, 0, 1, 39900)]),
             plan("enterprise", "Prism Enterprise", "customer", price=24900, description="Minimum five seats, SSO and priority support.",
                  resources=[res("prism-seats", 5, 5, 5000, 4990), res("generic-onboarding", 0, 0, 1, 39900)]),
             plan("pro-internal", "Prism Pro for your own team", "reseller", price=2490, description="Seats for the reseller's own engineers.",
                  resources=[res("prism-seats", 1, 1, 200, 2490)]),
         ]),
    dict(slug="mailstream-business-mail", name="Mailstream Business Mail", vendor="Mailstream", category="collaboration",
         summary="Hosted business mail, calendars and contacts with your own domain.",
         description="Prepaid plans fix the price for the term. Postpaid plans bill each month for the peak number of mailboxes. A first month free may be given to new customers.",
         parameters=MAIL_PARAMETERS,
         plans=[
             plan("prepaid", "Business Mail – Prepaid", "customer", model="prepaid", postponed=True, price=1500, description="Fixed price for the term, five mailboxes included.",
                  resources=[res("mail-mailboxes", 5, 5, 1000, 300), res("mail-archive", 0, 0, 1000, 200), res("mail-storage", 0, 0, 50, 900), res("mail-migration", 0, 0, 1, 19900)]),
             plan("postpaid", "Business Mail – Postpaid", "customer", model="postpaid", postponed=True, price=0, terms=(MONTHLY,), description="Billed monthly on the peak number of mailboxes.",
                  resources=[res("mail-mailboxes", 0, 1, 1000, 350), res("mail-archive", 0, 0, 1000, 200), res("mail-migration", 0, 0, 1, 19900)]),
         ]),
    dict(slug="reseller-storefront", name="Reseller Storefront", vendor="Cloud Marketplace", category="reseller-services", connector="reseller_storefront",
         summary="Launch your own white-label storefront and customer portal.",
         description="Your customers browse your catalog at your prices, place orders and manage their subscriptions. The storefront is switched on automatically when the subscription is active.",
         plans=[
             plan("free", "Storefront Free", "reseller", price=0, terms=(MONTHLY,), description="Your own storefront with the distributor's catalog.",
                  features=STOREFRONT_FEATURES["free"]),
             plan("standard", "Storefront Standard", "reseller", price=9900, description="Custom domain, branding and promotions.",
                  resources=[res("storefront-domains", 1, 1, 10, 1500)], features=STOREFRONT_FEATURES["standard"]),
         ]),
    dict(slug="vaultguard-backup", name="VaultGuard Cloud Backup", vendor="VaultGuard", category="security",
         summary="Back up Microsoft 365, Google Workspace and endpoints to an immutable cloud.",
         plans=[
             plan("business", "VaultGuard Business", "customer", price=3000, description="Ten users and 1 TB included.",
                  resources=[res("generic-users", 10, 10, 2000, 250), res("generic-storage", 1, 1, 100, 1500), res("generic-onboarding", 0, 0, 1, 24900)]),
             plan("msp", "VaultGuard for MSPs", "reseller", price=9900, description="Back up your own systems.",
                  resources=[res("generic-storage", 5, 5, 500, 1200)]),
         ]),
    dict(slug="shieldpoint-endpoint", name="ShieldPoint Endpoint Security", vendor="ShieldPoint", category="security",
         summary="Antivirus, EDR and device control managed from one console.",
         plans=[
             plan("essentials", "ShieldPoint Essentials", "customer", price=500, description="Per-device protection.",
                  resources=[res("generic-devices", 1, 1, 10000, 500)]),
             plan("complete", "ShieldPoint Complete", "customer", price=900, description="EDR and device control.",
                  resources=[res("generic-devices", 1, 1, 10000, 900), res("generic-onboarding", 0, 0, 1, 29900)]),
         ]),
    dict(slug="taskflow-projects", name="TaskFlow Projects", vendor="TaskFlow", category="collaboration",
         summary="Boards, timelines and time tracking for client projects.",
         plans=[
             plan("team", "TaskFlow Team", "customer", price=4000, description="Five users included.",
                  resources=[res("generic-users", 5, 5, 1000, 800)]),
             plan("agency", "TaskFlow for Agencies", "reseller", price=9900, description="Unlimited client workspaces.",
                  resources=[res("generic-users", 10, 10, 500, 700)]),
         ]),
    dict(slug="meetspace-video", name="MeetSpace Video Meetings", vendor="MeetSpace", category="collaboration",
         summary="HD meetings and webinars for up to 500 participants.",
         plans=[
             plan("pro", "MeetSpace Pro", "customer", price=1499, description="One host licence per user.",
                  resources=[res("generic-users", 1, 1, 1000, 1499)]),
         ]),
    dict(slug="clouddesk-virtual-desktops", name="CloudDesk Virtual Desktops", vendor="CloudDesk", category="cloud-management",
         summary="Windows desktops in the cloud, billed per user.",
         plans=[
             plan("standard", "CloudDesk Standard", "customer", model="postpaid", price=0, terms=(MONTHLY,), description="Billed on the month's peak number of users.",
                  resources=[res("generic-users", 0, 1, 500, 3500), res("generic-storage", 0, 0, 50, 2000)]),
         ]),
    dict(slug="signright-esignature", name="SignRight e-Signature", vendor="SignRight", category="collaboration",
         summary="Legally binding electronic signatures with audit trails.",
         plans=[
             plan("business", "SignRight Business", "customer", price=2500, description="Unlimited envelopes per user.",
                  resources=[res("generic-users", 1, 1, 500, 2500)]),
         ]),
    dict(slug="codeharbor-git", name="CodeHarbor Git Hosting", vendor="CodeHarbor", category="developer-tools",
         summary="Private repositories, CI minutes and code review.",
         plans=[
             plan("team", "CodeHarbor Team", "customer", price=400, description="Per developer.",
                  resources=[res("generic-users", 1, 1, 2000, 400)]),
             plan("internal", "CodeHarbor for your own team", "reseller", price=400, resources=[res("generic-users", 1, 1, 500, 400)]),
         ]),
    dict(slug="mailarchive-on-premises", name="MailArchive On-Premises", vendor="Mailstream", category="collaboration", renewal_upgrade_only=True,
         summary="On-premises mail archive: renewals and upgrades of existing licences only.",
         plans=[plan("licence", "MailArchive licence renewal", "customer", price=9900, terms=(ANNUAL,), resources=[res("generic-users", 25, 25, 5000, 300, step=25)])]),
    dict(slug="nimbus-analytics", name="Nimbus Analytics", vendor="Nimbus", category="cloud-management", published=False,
         summary="Coming soon: usage analytics across your customers' clouds.",
         plans=[plan("preview", "Nimbus Preview", "customer", price=1000)]),
]

ORGANISATIONS = {
    "distributor": dict(name="Cloud Distribution Inc.", kind="distributor", parent=None, marketplace="US"),
    "reseller-one": dict(name="Reseller One LLC", kind="reseller", parent="distributor", reselling=True, marketplace="US", credit=5_000_000),
    "reseller-two": dict(name="Reseller Two Ltd", kind="reseller", parent="distributor", reselling=False, marketplace="UK"),
    "customer-a": dict(name="Customer A Corp", kind="customer", parent="reseller-one", marketplace="US", credit=500_000),
    "customer-b": dict(name="Customer B GmbH", kind="customer", parent="reseller-one", marketplace="EU"),
    "customer-c": dict(name="Customer C Inc.", kind="customer", parent="reseller-one", marketplace="US"),
}
USERS = [
    ("staff@distributor.example", "Dana Distributor", "distributor", Role.ADMIN),
    ("admin@reseller-one.example", "Riley Reseller", "reseller-one", Role.ADMIN),
    ("member@reseller-one.example", "Morgan Member", "reseller-one", Role.MEMBER),
    ("admin@reseller-two.example", "Robin Second", "reseller-two", Role.ADMIN),
    ("admin@customer-a.example", "Alex Customer", "customer-a", Role.ADMIN),
    ("admin@customer-b.example", "Billie Kunde", "customer-b", Role.ADMIN),
    ("admin@customer-c.example", "Casey Client", "customer-c", Role.ADMIN),
]
BILLING = {
    "distributor": dict(legal_name="Cloud Distribution Inc.", address_line1="1 Distribution Plaza", city="San Jose", postal_code="95113", country="US", tax_id="US-94-1234567", billing_email="billing@distributor.example"),
    "reseller-one": dict(legal_name="Reseller One LLC", address_line1="100 Market Street", city="Austin", postal_code="78701", country="US", tax_id="US-12-3456789", billing_email="billing@reseller-one.example"),
    "customer-a": dict(legal_name="Customer A Corporation", address_line1="5 Harbor Way", city="Boston", postal_code="02110", country="US", billing_email="ap@customer-a.example"),
}
# Reseller one's customer prices in the US: a 25 % markup on customer plans of two products,
# and one absolute price; everything else stays at MSRP.
RESELLER_MARKUPS = {"mailstream-business-mail": 2500, "idsync-identity-synchronizer": 2500}
RESELLER_ABSOLUTE = {("prism-desktop", "pro", "monthly"): 2290}

MARKETPLACE_TERMS = (
    "Orders are binding once placed. Recurring subscriptions renew automatically at the end of each "
    "period unless cancelled before. Increases are charged pro rata; decreases apply from the next period."
)


def _converted(usd_cents: int, factor_bp: int) -> int:
    return apply_basis_points(usd_cents, factor_bp)


def seed_demo() -> bool:
    """Creates the demo data unless the demo distributor exists; returns whether it created it."""
    if db.session.scalar(select(User).where(User.email == USERS[0][0])) is not None:
        return False
    marketplaces = {}
    for position, (code, name, country, currency, locale, tax_bp, tax_label, region, factor) in enumerate(MARKETPLACES):
        marketplaces[code] = (
            Marketplace(code=code, name=name, country=country, currency=currency, locale=locale, tax_rate_bp=tax_bp,
                        tax_label=tax_label, tax_region=region, terms_text=MARKETPLACE_TERMS, terms_version="2026-01",
                        position=position),
            factor,
        )
        db.session.add(marketplaces[code][0])

    organisations = {}
    for key, spec in ORGANISATIONS.items():
        organisation = Organisation(
            name=spec["name"], kind=spec["kind"], parent=organisations.get(spec["parent"]),
            reselling_enabled=spec.get("reselling", False), marketplace=marketplaces[spec["marketplace"]][0],
            credit_limit=spec.get("credit"),
        )
        organisations[key] = organisation
        db.session.add(organisation)
    password_hash = None
    for email, name, organisation_key, role in USERS:
        user = User(email=email, name=name, organisation=organisations[organisation_key], role=role.value,
                    email_verified_at=current_now())
        if password_hash is None:
            user.set_password(DEMO_PASSWORD)
            password_hash = user.password_hash
        # Every demo user has the same password: hashed once (scrypt takes about a second on
        # this machine), the salted hash is valid for each of them.
        user.password_hash = password_hash
        db.session.add(user)
    for organisation_key, fields in BILLING.items():
        db.session.add(BillingInfo(organisation=organisations[organisation_key], **fields))

    categories = {}
    for position, (slug, name, parent, description) in enumerate(CATEGORIES):
        categories[slug] = Category(slug=slug, name=name, parent=categories.get(parent), description=description, position=position)
        db.session.add(categories[slug])
    resource_categories = {name: ResourceCategory(name=name, position=i) for i, name in enumerate(RESOURCE_CATEGORIES)}
    db.session.add_all(resource_categories.values())
    resources = {}
    for code, name, unit, kind, seats, category, description in RESOURCES:
        resources[code] = Resource(code=code, name=name, unit=unit, kind=kind, measures_seats=seats,
                                   category=resource_categories[category], description=description)
        db.session.add(resources[code])

    distributor_lists = {code: PriceList(marketplace=m) for code, (m, _) in marketplaces.items()}
    for price_list in distributor_lists.values():
        price_list.seller = organisations["distributor"]
    reseller_list = PriceList(marketplace=marketplaces["US"][0])
    reseller_list.seller = organisations["reseller-one"]
    db.session.add_all([*distributor_lists.values(), reseller_list])
    db.session.flush()

    for product_spec in PRODUCTS:
        _add_product(product_spec, categories, resources, marketplaces, distributor_lists, reseller_list)
    db.session.commit()
    return True


def _add_product(spec, categories, resources, marketplaces, distributor_lists, reseller_list) -> None:
    product = Product(
        slug=spec["slug"], name=spec["name"], vendor=spec["vendor"], category=categories[spec["category"]],
        summary=spec["summary"], description=spec.get("description", spec["summary"]),
        terms_text=f"{spec['vendor']} subscription terms: use is subject to the vendor's acceptable use policy and data processing agreement.",
        terms_version="2026-01", connector=spec.get("connector", "demo"),
        renewal_upgrade_only=spec.get("renewal_upgrade_only", False), published=spec.get("published", True),
    )
    db.session.add(product)
    for position, parameter in enumerate(spec.get("parameters", [])):
        db.session.add(OrderingParameter(product=product, position=position, **parameter))
    for position, plan_spec in enumerate(spec["plans"]):
        plan = Plan(product=product, code=plan_spec["code"], name=plan_spec["name"], audience=plan_spec["audience"],
                    kind=plan_spec["kind"], payment_model=plan_spec["model"], description=plan_spec["description"],
                    postponed_billing_allowed=plan_spec["postponed"], position=position, features=plan_spec["features"])
        db.session.add(plan)
        for r_position, (code, included, minimum, maximum, step, changeable, _) in enumerate(plan_spec["resources"]):
            db.session.add(PlanResource(plan=plan, resource=resources[code], included=included, minimum=minimum,
                                        maximum=maximum, step=step, customer_changeable=changeable, position=r_position))
        for term_code, term_name, period, frequency in plan_spec["terms"]:
            term = PlanTerm(plan=plan, code=term_code, name=term_name, period_months=period, billing_frequency_months=frequency)
            db.session.add(term)
            months = ANNUAL_MONTHS_CHARGED if frequency == 12 else frequency
            for code, (marketplace, factor) in marketplaces.items():
                msrp = _converted(plan_spec["price"] * months, factor)
                db.session.add(PlanTermPrice(price_list=distributor_lists[code], plan_term=term, msrp=msrp,
                                             cost=apply_basis_points(msrp, COST_BP)))
                for resource_code, *_rest, unit_price in plan_spec["resources"]:
                    resource = resources[resource_code]
                    unit_msrp = _converted(unit_price * (1 if resource.is_one_time else months), factor)
                    db.session.add(ResourcePrice(price_list=distributor_lists[code], plan_term=term, resource=resource,
                                                 msrp=unit_msrp, cost=apply_basis_points(unit_msrp, COST_BP)))
            _add_reseller_prices(spec, plan_spec, plan, term, resources, reseller_list)


def _add_reseller_prices(spec, plan_spec, plan, term, resources, reseller_list) -> None:
    if plan.audience != "customer":
        return
    absolute = RESELLER_ABSOLUTE.get((spec["slug"], plan.code, term.code))
    markup = RESELLER_MARKUPS.get(spec["slug"])
    if absolute is not None:
        db.session.add(PlanTermPrice(price_list=reseller_list, plan_term=term, amount=absolute))
    elif markup is not None:
        db.session.add(PlanTermPrice(price_list=reseller_list, plan_term=term, markup_bp=markup))
        for resource_code, *_ in plan_spec["resources"]:
            db.session.add(ResourcePrice(price_list=reseller_list, plan_term=term, resource=resources[resource_code], markup_bp=markup))
