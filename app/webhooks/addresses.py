"""Where webhooks may go: public internet addresses only, unless the deployment allows private
ones (``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``: a development machine, the tests' loopback receivers).

A registered URL naming, or resolving to, a loopback, private, link-local (the cloud metadata
service at 169.254.169.254), multicast or reserved address would let a tenant make our servers
call our own network (server-side request forgery). The check runs when an endpoint is
registered and again before every delivery, since a name may resolve elsewhere later. It does
not pin the connection to the checked address: a name that changes between the check and the
connection (DNS rebinding within its TTL) is not caught.
"""
from __future__ import annotations

import ipaddress
import socket


def private_address(host: str) -> str | None:
    """The first non-public address ``host`` is or resolves to, or None when all are public (or
    the name does not resolve now: the delivery then fails like any unreachable receiver)."""
    host = host.strip("[]")
    try:
        candidates = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError, OSError):
            return None
        candidates = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in candidates:
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            return str(address)
    return None


def address_refusal(host: str, allow_private: bool) -> str | None:
    """Why webhooks may not be sent to ``host``, for its administrator; None when they may."""
    if allow_private:
        return None
    address = private_address(host)
    if address is None:
        return None
    return (f"{host} is a private or reserved address ({address}): webhooks are sent to public internet "
            "addresses only.")
