"""Staff edit the catalog (issue 13): products with connector, settings and versioned vendor
terms, plans, terms, resource limits, ordering parameters, resources, publish and unpublish.
Every refusal names its field and changes nothing."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from app.catalog import admin
from app.catalog.models import OrderingParameter, Plan, PlanTerm, Product, Resource
from app.extensions import db

PRODUCT = {"name": "Backup Pro", "slug": "backup-pro", "vendor": "Acme", "summary": "Backups", "description": "",
           "connector": "webhook", "connector_settings": '{"url": "http://127.0.0.1:9/hook", "secret": "s"}',
           "terms_text": "Acme terms v1"}


def _error(page: str, field: str) -> str:
    match = re.search(rf'id="{field}-errors">([^<]*)<', page)
    return match.group(1) if match else ""


@pytest.fixture
def staff(client, auth, world):
    auth.login("staff@dist.test")
    return client


def _create(client, world, **changes) -> tuple:
    data = {**PRODUCT, "category_id": world.category.id, **changes}
    return client.post("/staff/catalog/products/new", data=data)


def test_a_new_product_is_created_unpublished_with_its_connector_settings(staff, world):
    response = _create(staff, world)

    product = db.session.scalar(select(Product).where(Product.slug == "backup-pro"))
    assert response.status_code == 302 and response.location == f"/staff/catalog/products/{product.id}"
    assert (product.name, product.vendor, product.connector, product.published, product.terms_version) == (
        "Backup Pro", "Acme", "webhook", False, "1")
    assert product.connector_settings == {"url": "http://127.0.0.1:9/hook", "secret": "s"}


@pytest.mark.parametrize("changes, field, message", [
    ({"slug": "Backup Pro"}, "slug", "Use lower-case letters, digits and inner hyphens for the address name (at most 80)."),
    ({"slug": "sync-tool"}, "slug", "Another product already uses the address name sync-tool."),
    ({"connector_settings": "[1, 2]"}, "connector_settings", "The settings must be a JSON object, such as {&#34;url&#34;: &#34;...&#34;}."),
    ({"connector_settings": "{url: 1}"}, "connector_settings", "The settings are not valid JSON (line 1, column 2)."),
    ({"connector": "ftp"}, "connector", "Choose a connector from the list."),
    ({"name": "   "}, "name", "Enter the name."),
    ({"category_id": "999999"}, "category_id", "Choose a category from the list."),
])
def test_a_bad_product_is_refused_beside_its_field_and_nothing_is_created(staff, world, changes, field, message):
    world.product.slug = "sync-tool"
    db.session.commit()
    before = db.session.scalar(select(func.count(Product.id)))

    response = _create(staff, world, **changes)

    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), field) == message
    assert db.session.scalar(select(func.count(Product.id))) == before


def test_new_terms_text_gets_the_next_version_and_the_same_text_keeps_it(staff, world):
    world.product.terms_version, world.product.terms_text = "2026-01", "Old terms"
    db.session.commit()
    data = {**PRODUCT, "slug": world.product.slug, "category_id": world.category.id, "connector": "demo",
            "connector_settings": "{}"}

    staff.post(f"/staff/catalog/products/{world.product.id}", data={**data, "terms_text": "Old terms"})
    db.session.refresh(world.product)
    unchanged = world.product.terms_version
    staff.post(f"/staff/catalog/products/{world.product.id}", data={**data, "terms_text": "New terms"})
    db.session.refresh(world.product)

    assert (unchanged, world.product.terms_version, world.product.terms_text) == ("2026-01", "2026-01.2", "New terms")


@pytest.mark.parametrize("version, following", [("1", "2"), ("9", "10"), ("2026-01", "2026-01.2"), ("2026-01.2", "2026-01.3")])
def test_next_terms_version(version, following):
    assert admin.next_terms_version(version) == following


def test_unpublishing_hides_the_product_from_the_storefront_and_an_empty_product_cannot_be_published(staff, world):
    assert staff.get(f"/products/{world.product.slug}").status_code == 200
    staff.post(f"/staff/catalog/products/{world.product.id}/publish", data={"published": "0"})
    assert staff.get(f"/products/{world.product.slug}").status_code == 404

    _create(staff, world)
    empty = db.session.scalar(select(Product).where(Product.slug == "backup-pro"))
    page = staff.post(f"/staff/catalog/products/{empty.id}/publish", data={"published": "1"}, follow_redirects=True)
    assert "Publish a plan with at least one term first" in page.get_data(as_text=True)
    db.session.refresh(empty)
    assert empty.published is False


def test_a_plan_is_created_with_terms_and_limits_then_published(staff, world):
    staff.post(f"/staff/catalog/products/{world.product.id}/plans/new", data={
        "code": "pro", "name": "Pro", "description": "", "audience": "customer", "kind": "organisation",
        "payment_model": "prepaid"})
    plan = db.session.scalar(select(Plan).where(Plan.code == "pro"))
    refused = staff.post(f"/staff/catalog/plans/{plan.id}/publish", data={"published": "1"}, follow_redirects=True)

    staff.post(f"/staff/catalog/plans/{plan.id}/terms", data={"term-term_code": "annual", "term-term_name": "Annual",
                                                             "term-period_months": "12", "term-billing_frequency_months": "1"})
    staff.post(f"/staff/catalog/plans/{plan.id}/resources", data={
        "limit-resource_id": world.seats.id, "limit-included": "5", "limit-minimum": "1", "limit-maximum": "300",
        "limit-step": "1", "limit-customer_changeable": "y"})
    staff.post(f"/staff/catalog/plans/{plan.id}/publish", data={"published": "1"})

    db.session.refresh(plan)
    assert "Add a term to the plan first" in refused.get_data(as_text=True)
    assert [(t.code, t.period_months, t.billing_frequency_months) for t in plan.terms] == [("annual", 12, 1)]
    assert [(r.resource.code, r.included, r.minimum, r.maximum, r.step, r.customer_changeable) for r in plan.resources] == [
        ("seats", 5, 1, 300, 1, True)]
    assert (plan.published, plan.audience, plan.payment_model) == (True, "customer", "prepaid")


@pytest.mark.parametrize("data, field, message", [
    ({"term-period_months": "12", "term-billing_frequency_months": "5"}, "term-billing_frequency_months",
     "The billing frequency must divide the period (a 12-month term billed every 1, 3, 6 or 12 months)."),
    ({"term-period_months": "0", "term-billing_frequency_months": "1"}, "term-period_months",
     "The period in months must be between 1 and 60."),
    ({"term-period_months": "twelve", "term-billing_frequency_months": "1"}, "term-period_months",
     "Enter the period in months as a whole number."),
    ({"term-term_code": "monthly", "term-period_months": "1", "term-billing_frequency_months": "1"}, "term-term_code",
     "This plan already has a term with the code monthly."),
])
def test_a_bad_term_is_refused_and_nothing_is_added(staff, world, data, field, message):
    before = db.session.scalar(select(func.count(PlanTerm.id)))
    response = staff.post(f"/staff/catalog/plans/{world.customer_plan.id}/terms",
                          data={"term-term_code": "biennial", "term-term_name": "Two years", **data})
    assert response.status_code == 422 and _error(response.get_data(as_text=True), field) == message
    assert db.session.scalar(select(func.count(PlanTerm.id))) == before


def test_limits_outside_their_bounds_are_refused_and_the_old_ones_stay(staff, world):
    response = staff.post(f"/staff/catalog/plans/{world.customer_plan.id}/resources", data={
        "limit-resource_id": world.seats.id, "limit-included": "500", "limit-minimum": "5", "limit-maximum": "100",
        "limit-step": "1"})

    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "limit-included") == (
        "The included quantity must lie between the minimum and the maximum.")
    row = next(r for r in world.customer_plan.resources if r.resource_id == world.seats.id)
    db.session.refresh(row)
    assert (row.included, row.minimum, row.maximum) == (5, 5, 100)


def test_ordering_parameters_are_added_checked_edited_and_removed(staff, world):
    base = {"key": "location", "label": "Data location", "kind": "choice", "required": "y", "max_length": "20",
            "help_text": "", "choices": "eu|Europe\nus|United States"}
    bad_default = staff.post(f"/staff/catalog/products/{world.product.id}/parameters/new", data={**base, "default": "asia"})
    staff.post(f"/staff/catalog/products/{world.product.id}/parameters/new", data={**base, "default": "eu"})
    parameter = db.session.scalar(select(OrderingParameter).where(OrderingParameter.key == "location"))

    assert _error(bad_default.get_data(as_text=True), "default").startswith("The default is not a valid value:")
    assert (parameter.kind, parameter.default, parameter.choices, parameter.required) == (
        "choice", "eu", [["eu", "Europe"], ["us", "United States"]], True)

    staff.post(f"/staff/catalog/parameters/{parameter.id}", data={**base, "label": "Where data lives", "default": "us"})
    db.session.refresh(parameter)
    assert (parameter.label, parameter.default) == ("Where data lives", "us")

    staff.post(f"/staff/catalog/parameters/{parameter.id}/delete")
    assert db.session.get(OrderingParameter, parameter.id) is None


def test_a_resource_is_created_in_a_new_category_and_a_duplicate_code_is_refused(staff, world):
    data = {"code": "storage-tb", "name": "Storage", "unit": "terabyte", "kind": "recurring", "category_name": "Storage"}
    staff.post("/staff/catalog/resources", data=data)
    duplicate = staff.post("/staff/catalog/resources", data={**data, "name": "Other"})

    resource = db.session.scalar(select(Resource).where(Resource.code == "storage-tb"))
    assert (resource.name, resource.unit, resource.category.name, resource.measures_seats) == ("Storage", "terabyte", "Storage", False)
    assert _error(duplicate.get_data(as_text=True), "code") == "Another resource already uses the code storage-tb."


def test_the_catalog_list_searches_and_shows_each_products_state(staff, world):
    page = staff.get("/staff/catalog?q=sync").get_data(as_text=True)
    other = staff.get("/staff/catalog?q=nothing-like-it").get_data(as_text=True)
    assert f'data-product="{world.product.slug}"' in page and "1 of 1 published" not in other
    assert "No products matching" in other


def test_resellers_and_customers_do_not_find_the_catalog_pages(client, auth, world):
    auth.login(world.users.reseller.email)
    assert client.get("/staff/catalog").status_code == 404
    assert client.post(f"/staff/catalog/products/{world.product.id}/publish", data={"published": "0"}).status_code == 404
    db.session.refresh(world.product)
    assert world.product.published is True
