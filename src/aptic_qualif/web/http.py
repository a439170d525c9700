"""What wraps every request of ``serve``: where a form may come from, the language, the body read
whole and bounded, and the security headers."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aptic_qualif.i18n import preferred_language
from aptic_qualif.web.server import CSP, Settings


def expected_origin(request: Request, settings: Settings) -> str:
    """Where a form must come from: the public address when ``serve`` has one, else the
    address the request was sent to (its scheme as the trusted proxy says)."""
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        return f"{parts.scheme}://{parts.netloc}"
    return f"{request.url.scheme}://{request.url.netloc}"


def negotiate(header: str) -> str:
    """The language the browser prefers among French and English (French by default):
    :func:`aptic_qualif.i18n.preferred_language`."""
    return preferred_language(header)


BODY_TIMEOUT = 15.0
"""Seconds the server waits for the next part of a request's body."""


class BodyLimit:
    """Read each request's body before the application sees it: at most ``limit`` bytes
    (413 beyond, whether the length was announced or the body is chunked), each part within
    ``timeout`` seconds of the previous one (408 beyond: a client that trickles its body
    cannot hold a connection). The application then gets the whole body at once."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _refuse(send, 413)
                return
        chunks: list[bytes] = []
        seen = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                await _refuse(send, 408)
                return
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await _refuse(send, 413)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body: Message | None = {
            "type": "http.request",
            "body": b"".join(chunks),
            "more_body": False,
        }

        async def replay() -> Message:
            nonlocal body
            if body is not None:
                message, body = body, None
                return message
            return await receive()

        await self.app(scope, replay, send)


_REFUSALS = {
    413: "413 — la requête est trop grande / request too large\n",
    408: "408 — la requête arrive trop lentement / request too slow\n",
}


async def _refuse(send: Send, status: int) -> None:
    body = _REFUSALS[status].encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *_SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Every response: a Content-Security-Policy (unless the page set its own), no sniffing,
    no referrer outside this site (links are secrets), no framing, no caching."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {h for h, _v in _SECURITY_HEADERS}
                ]
                if not any(k.lower() == b"content-security-policy" for k, _v in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = [*headers, *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
