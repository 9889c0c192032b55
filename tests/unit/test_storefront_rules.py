"""The white-label storefront's rules as plain functions: logo types by magic bytes, colour
contrast, domain names, the Host header's name."""
import pytest

from app.accounts.storefronts import StorefrontSettingRefused, clean_colour, clean_domain, contrast_with_white, host_name, logo_type, slugify


@pytest.mark.parametrize("data, kind", [
    (b"\x89PNG\r\n\x1a\n....", "png"), (b"\xff\xd8\xff\xe0JFIF", "jpeg"), (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
    (b"GIF89a", None), (b"<svg", None), (b"RIFF\x10\x00\x00\x00WAVE", None), (b"", None),
])
def test_logo_types_are_read_from_the_first_bytes(data, kind):
    assert logo_type(data) == kind


def test_contrast_with_white_follows_wcag():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert round(contrast_with_white("#0d6efd"), 2) == 4.5


def test_colours_must_be_hex_and_readable_under_white_text():
    assert clean_colour(" #3D1A78 ", "c", "Colour") == "#3d1a78"
    for bad in ("#fff", "blue", "#12345g", "#ffff00"):
        with pytest.raises(StorefrontSettingRefused):
            clean_colour(bad, "c", "Colour")


@pytest.mark.parametrize("text, expected", [("Shop.Example.COM", "shop.example.com"), ("shop.example.com.", "shop.example.com"), ("", None)])
def test_domains_are_normalised(text, expected):
    assert clean_domain(text, frozenset()) == expected


@pytest.mark.parametrize("text", ["example", "10.0.0.1", "-bad.example.com", "shop..example.com", "a_b.example.com",
                                  "https://shop.example.com", "shop.example.com:8443", "marketplace.example", "x.localhost"])
def test_bad_domains_are_refused(text):
    with pytest.raises(StorefrontSettingRefused):
        clean_domain(text, frozenset({"marketplace.example"}))


def test_the_host_header_is_matched_without_port_and_case():
    assert host_name("Shop.Example.com:8443") == "shop.example.com"
    assert host_name("[::1]:5000") == ""


def test_slugs_are_made_from_names():
    assert slugify("Reseller One LLC") == "reseller-one-llc"
    assert slugify("Ünïcode & Co.") == "unicode-co"
    assert slugify("!!!") == "reseller"
