"""The client's network address: the one rule behind every limit (rate limits, django-axes).

A header such as X-Forwarded-For is only as true as whoever wrote it. With no proxy configured
(TRUSTED_PROXIES empty, PROXY_COUNT 0) the client is the connection's own address, REMOTE_ADDR,
and forwarded headers are ignored: anyone can send them. Behind proxies that append the address
they saw to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for, cloud load balancers):

* TRUSTED_PROXIES (addresses or networks): walk from the connection towards the client, right to
  left through X-Forwarded-For, while the address we stand on is a trusted proxy; the first one
  that is not is the client. A request whose connection does not come from a trusted proxy keeps
  its own address, whatever its headers say.
* PROXY_COUNT (used only without TRUSTED_PROXIES): the client is that many hops left of the
  connection. Simpler, but trusts a header from anyone who reaches the app directly.

Written here rather than taken from django-ipware/python-ipware: those pick from a list of headers
(several of which clients set freely), match trusted proxies against the header's own entries in
fixed positions rather than against the connection, and fall back to another header when one does
not validate; what is needed is the right-to-left walk above, a few lines on `ipaddress`.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(request) -> str:
    """The client's address as text (REMOTE_ADDR as given when no proxy is configured)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted, count = settings.TRUSTED_PROXIES, settings.PROXY_COUNT
    if not trusted and not count:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    client = parse(remote)
    if client is None:
        # A peer that is not an address: gunicorn on a unix socket, which only the local proxy can
        # reach. That proxy is the first hop; the address it saw is the rightmost entry.
        if not forwarded or parse(forwarded[-1]) is None:
            return remote
        client = parse(forwarded.pop())
        remote = str(client)
        count = max(0, count - 1)
        if not trusted and not count:
            return remote
    if trusted:
        networks = _networks(tuple(trusted))
        for entry in reversed(forwarded):
            if not any(client in network for network in networks):
                break
            hop = parse(entry)
            if hop is None:
                break  # a trusted proxy passed on something that is not an address: stop at it
            client = hop
        return str(client)
    # Hop count: the client is `count` entries left of the connection (or the leftmost there is);
    # an entry that is not an address gives way to the nearest one on its right.
    chain = [*forwarded, remote]
    for entry in chain[max(0, len(chain) - 1 - count) :]:
        hop = parse(entry)
        if hop is not None:
            return str(hop)
    return str(client)


def parse(text: str) -> Address | None:
    """An address from a header entry: "203.0.113.5", "203.0.113.5:4711", "[2001:db8::1]:443";
    an IPv4 address mapped into IPv6 as IPv4. None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
