"""Escaping of free text, refused off-site redirects and security headers, on every page of the
URL map, as anonymous and as every user of the world."""
from app import create_app
from app.config import ProductionConfig, engine_options
from tests import factories
from tests.security import checks


def test_html_in_every_free_text_field_is_escaped_on_every_page(app, world):
    # Given HTML in every free-text column (organisation, user and product names, descriptions,
    # billing addresses, ordering parameters...) and in a subscription's ordering-parameter values
    factories.make_billing_info(world.customer)
    factories.make_product(world.category, name="Mail", parameters=[dict(key="domain", label="Domain", help_text="Your domain")])
    factories.make_subscription(world.customer, world.customer_plan, parameters={"domain": checks.HTML_PAYLOADS[0]})
    touched = checks.seed_html_payloads()
    # When every GET page is fetched by every user
    violations, pages_showing_it = checks.escaping_violations(app, world)
    # Then the payload is shown escaped, never raw
    assert violations == []
    assert {"organisation.name", "user.name", "billing_info.address_line1", "billing_info.city", "product.name",
            "product.description", "ordering_parameter.label", "plan.name", "category.name"} <= set(touched)
    assert pages_showing_it >= 3 * len(checks.everyone(world))  # home, catalog, product page at least


def test_product_page_shows_a_hostile_product_name_as_text(client, world):
    world.product.name = "<script>alert(1)</script> Sync"
    from app.extensions import db

    db.session.commit()
    body = client.get(f"/products/{world.product.slug}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sync" in body
    assert "<script>alert(1)" not in body


def test_no_route_redirects_to_another_site(app, world):
    violations = checks.redirect_violations(app, world, credentials=(world.users.customer.email, factories.PASSWORD))
    assert violations == []


def test_sign_in_with_an_off_site_next_lands_on_the_catalog(client, world):
    for evil in checks.EVIL_NEXT:
        response = client.post("/sign-in", data={"email": world.users.customer.email, "password": factories.PASSWORD,
                                                  "next": evil})
        assert (response.status_code, response.headers["Location"]) == (302, "/")
        client.post("/sign-out")


def test_sign_in_with_a_local_next_goes_there(client, world):
    response = client.post("/sign-in", data={"email": world.users.customer.email, "password": factories.PASSWORD,
                                              "next": "/catalog/?q=sync"})
    assert response.headers["Location"] == "/catalog/?q=sync"


def test_region_picker_refuses_an_off_site_next(client, world):
    response = client.post("/region", data={"region": "US", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_every_page_carries_the_security_headers(app, world):
    assert checks.header_violations(app, world) == []


def test_security_headers_forbid_framing_and_inline_script(client, world):
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_production_config_sends_secure_http_only_session_cookies(database_url, run_dir, world):
    # Given the production configuration pointed at the test database
    config = ProductionConfig(run_dir / "instance")
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SQLALCHEMY_ENGINE_OPTIONS = engine_options(database_url)
    production = create_app(config)
    # When a visitor signs in
    client = production.test_client()
    page = client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/sign-in", data={"email": world.users.customer.email, "password": factories.PASSWORD,
                                              "csrf_token": token}, base_url="https://localhost",
                           headers={"Referer": "https://localhost/sign-in"})  # CSRF checks it on HTTPS
    # Then the session cookie is Secure, HttpOnly and SameSite=Lax
    assert response.status_code == 302
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert (config.SESSION_COOKIE_SECURE, config.REMEMBER_COOKIE_SECURE, config.PREFERRED_URL_SCHEME) == (True, True, "https")
    from app.extensions import db

    with production.app_context():
        db.engine.dispose()
