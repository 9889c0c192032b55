"""A reseller's white-label storefront (seed 003): when it is open, how it is found (its path
``/s/<slug>/`` or, for Standard, its own domain) and its branding, validated here.

Open means: the storefront row exists (provisioning created it), the organisation's
``storefront_enabled`` is on (a live Reseller Storefront subscription) and reselling is still
enabled. Anything else is not found. Colours must keep white text readable (WCAG contrast of
at least 4.5:1): they are served in a stylesheet, never inlined. Logos are PNG, JPEG or WebP by
their first bytes (whatever the upload claims), at most ``MAX_LOGO_BYTES``, kept in the
database so that every web process serves them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation, OrganisationKind, Storefront, StorefrontEdition
from app.core.errors import Refusal, RefusalKind
from app.extensions import db

MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
_PHONE = re.compile(r"^[0-9 +().\-/]{0,40}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")


class StorefrontSettingRefused(Refusal):
    kind = RefusalKind.INVALID

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _SLUG_CHARACTERS.sub("-", text).strip("-")[:50] or "reseller"


def _open():
    return (select(Storefront).join(Organisation, Organisation.id == Storefront.organisation_id)
            .options(joinedload(Storefront.organisation))
            .where(Organisation.storefront_enabled.is_(True), Organisation.reselling_enabled.is_(True),
                   Organisation.kind == OrganisationKind.RESELLER.value))


def open_storefront(slug: str) -> Storefront | None:
    """The open storefront at ``/s/<slug>/``, else None."""
    if not slug or len(slug) > 60:
        return None
    return db.session.scalar(_open().where(Storefront.slug == slug.lower()))


def host_name(host: str) -> str:
    """A Host header's name: lower case, without the port and a trailing dot."""
    host = (host or "").strip().lower()
    if host.startswith("["):  # an IPv6 literal is never a storefront's domain
        return ""
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


def storefront_for_host(host: str) -> Storefront | None:
    """The open Standard storefront whose custom domain is exactly this host (case
    insensitive, port ignored), else None."""
    name = host_name(host)
    if not name or len(name) > 253:
        return None
    return db.session.scalar(_open().where(Storefront.custom_domain == name,
                                           Storefront.edition == StorefrontEdition.STANDARD.value))


def storefront_of(organisation_id: int) -> Storefront | None:
    return db.session.scalar(select(Storefront).where(Storefront.organisation_id == organisation_id))


def switch_storefront(connection, organisation_id: int, name: str, edition: str | None, enabled: bool) -> None:
    """Provisioning's side (``reseller_storefront`` connector), on its own ``connection``: switches
    the reseller's storefront on or off, creating its row (a unique slug from its name) the
    first time and recording the edition bought (``free`` or ``standard``). Idempotent."""
    edition = edition if edition in {e.value for e in StorefrontEdition} else StorefrontEdition.FREE.value
    existing = connection.execute(select(Storefront.id, Storefront.edition).where(Storefront.organisation_id == organisation_id)).first()
    if existing is None and enabled:
        base = slugify(name)
        taken = connection.execute(select(Storefront.id).where(Storefront.slug == base)).first() is not None
        slug = f"{base[:45]}-{organisation_id}" if taken else base
        connection.execute(insert(Storefront).values(
            organisation_id=organisation_id, slug=slug, edition=edition, display_name="",
            tagline="", contact_email="", contact_phone="", primary_colour="#0d6efd", accent_colour="#212529",
            logo_content_type="", updated_at=func.now()))
    elif existing is not None and enabled and existing.edition != edition:
        connection.execute(update(Storefront).where(Storefront.id == existing.id).values(edition=edition))
    connection.execute(update(Organisation).where(Organisation.id == organisation_id).values(storefront_enabled=enabled))


def logo_type(data: bytes) -> str | None:
    """The logo's format from its first bytes: ``png``, ``jpeg`` or ``webp``; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of white text on ``colour`` (``#rrggbb``)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)
    return 1.05 / (luminance + 0.05)


def served_colour(value: str | None, default: str) -> str:
    """A stored colour as it goes into the stylesheet: ``#rrggbb`` or the default, never
    anything else (a row edited by hand cannot inject CSS)."""
    return value if isinstance(value, str) and _COLOUR.match(value) else default


def clean_colour(text: str | None, field: str, label: str) -> str:
    colour = (text or "").strip().lower()
    if not _COLOUR.match(colour):
        raise StorefrontSettingRefused(f"{label}: enter a colour as #rrggbb, e.g. #0d6efd.", field)
    if contrast_with_white(colour) < 4.5:
        raise StorefrontSettingRefused(f"{label}: white text on {colour} is hard to read; choose a darker colour "
                                       f"(contrast {contrast_with_white(colour):.1f}:1, at least 4.5:1 needed).", field)
    return colour


def clean_domain(text: str | None, own_hosts: frozenset[str]) -> str | None:
    """A custom domain: a lower-case host name of at least two labels with an alphabetic top
    level, not an IP address and not one of the marketplace's own hosts; empty means none."""
    name = (text or "").strip().lower().rstrip(".")
    if not name:
        return None
    if name.startswith(("http://", "https://")) or "/" in name or ":" in name:
        raise StorefrontSettingRefused("Enter the domain name only, e.g. shop.example.com (no https://, path or port).", "custom_domain")
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not labels[-1].isalpha():
        raise StorefrontSettingRefused("Enter a valid domain name, e.g. shop.example.com.", "custom_domain")
    if name in own_hosts or name == "localhost" or name.endswith(".localhost"):
        raise StorefrontSettingRefused("That domain is the marketplace's own: choose your domain.", "custom_domain")
    return name


@dataclass(frozen=True)
class Branding:
    """What the reseller's storefront settings form submits."""

    display_name: str = ""
    tagline: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    primary_colour: str = "#0d6efd"
    accent_colour: str = "#212529"
    custom_domain: str = ""


def _text(value: str | None, limit: int, field: str, label: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise StorefrontSettingRefused(f"{label}: use at most {limit} characters.", field)
    return value


def save_branding(organisation_id: int, branding: Branding, *, logo: bytes | None = None, remove_logo: bool = False,
                  own_hosts: frozenset[str] = frozenset(), now: datetime) -> Storefront:
    """Saves the reseller's storefront settings after checking every one (nothing is saved when
    one is wrong: ``StorefrontSettingRefused`` names the field). A custom domain needs the
    Standard edition and must be no other storefront's. Not committed."""
    storefront = storefront_of(organisation_id)
    if storefront is None:
        raise StorefrontSettingRefused("You have no storefront yet: subscribe to a Reseller Storefront plan first.")
    email = (branding.contact_email or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            raise StorefrontSettingRefused("Contact e-mail: enter a valid address.", "contact_email") from None
    phone = (branding.contact_phone or "").strip()
    if not _PHONE.match(phone):
        raise StorefrontSettingRefused("Contact phone: digits, spaces and + ( ) - . / only, at most 40.", "contact_phone")
    values = dict(
        display_name=_text(branding.display_name, 120, "display_name", "Name"),
        tagline=_text(branding.tagline, 200, "tagline", "Tagline"),
        contact_email=email[:254], contact_phone=phone,
        primary_colour=clean_colour(branding.primary_colour, "primary_colour", "Main colour"),
        accent_colour=clean_colour(branding.accent_colour, "accent_colour", "Header colour"),
        custom_domain=clean_domain(branding.custom_domain, own_hosts),
    )
    if values["custom_domain"] and not storefront.is_standard:
        raise StorefrontSettingRefused("A custom domain comes with the Storefront Standard plan.", "custom_domain")
    if values["custom_domain"] and db.session.scalar(select(Storefront.id).where(
            Storefront.custom_domain == values["custom_domain"], Storefront.id != storefront.id)) is not None:
        raise StorefrontSettingRefused("Another storefront uses that domain.", "custom_domain")
    if logo is not None:
        kind = logo_type(logo)
        if len(logo) > MAX_LOGO_BYTES:
            raise StorefrontSettingRefused(f"Logo: at most {MAX_LOGO_BYTES // 1024} KB.", "logo")
        if kind is None:
            raise StorefrontSettingRefused("Logo: upload a PNG, JPEG or WebP image.", "logo")
        storefront.logo, storefront.logo_content_type = logo, LOGO_TYPES[kind]
    elif remove_logo:
        storefront.logo, storefront.logo_content_type = None, ""
    for key, value in values.items():
        setattr(storefront, key, value)
    storefront.updated_at = now
    db.session.flush()
    return storefront


def storefront_logo(slug: str) -> tuple[bytes, str] | None:
    """The open storefront's logo and its content type, else None."""
    row = db.session.execute(select(Storefront.logo, Storefront.logo_content_type).join(Organisation, Organisation.id == Storefront.organisation_id)
                             .where(Storefront.slug == (slug or "").lower(), Organisation.storefront_enabled.is_(True),
                                    Organisation.reselling_enabled.is_(True))).first()
    if row is None or row.logo is None or row.logo_content_type not in LOGO_TYPES.values():
        return None
    return row.logo, row.logo_content_type
