"""``serve`` as a network hosts it: several processes, behind nginx, slow clients cut off.

The server runs as its own process with two workers, Debian's nginx in front with the
project's documented configuration (:mod:`tests.hosting`); every address is on loopback and
every loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from aptic_qualif.access import LinkStore
from aptic_qualif.cli.app import app as cli_app
from aptic_qualif.context import load_context
from aptic_qualif.web.app import BodyLimit, Settings, create_app
from tests.conftest import REPO
from tests.hosting import (
    Hosted,
    hosted_fixture,  # noqa: F401 - the fixture "hosted"
    project_copy,
    session_token,
)

HALF_OPEN = 300
"""Connections that send half a request head and wait (well above one process's share)."""


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, fields: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


# -- through nginx ---------------------------------------------------------------------------


def test_health_through_the_proxy(hosted: Hosted) -> None:
    assert _get(f"{hosted.proxy_url}/healthz") == (200, '{"status":"ok"}')


def test_a_form_through_the_proxy_is_accepted_and_lands_on_disk(hosted: Hosted) -> None:
    """Behind nginx, the browser's Origin is the proxy's address: the form is accepted
    (it was refused with 403 before), and the application it creates is on disk."""
    token = session_token(hosted)
    status, page = _get(f"{hosted.proxy_url}/t/{token}/")
    assert status == 200
    status, _body = _post(
        f"{hosted.proxy_url}/t/{token}/candidatures",
        {"_csrf": _csrf(page), "nom": "Tiers-lieu du Proxy"},
        {"Origin": hosted.proxy_url},
    )
    assert status == 303
    assert (hosted.root / "candidatures" / "tiers-lieu-du-proxy.yaml").is_file()
    status, _body = _post(
        f"{hosted.proxy_url}/t/{token}/candidatures",
        {"_csrf": _csrf(page), "nom": "Ailleurs"},
        {"Origin": "https://evil.example"},
    )
    assert status == 403
    assert not (hosted.root / "candidatures" / "ailleurs.yaml").exists()


def test_every_worker_knows_every_link(hosted: Hosted) -> None:
    """Two processes: a link made while they run, and the session's link, open in each
    (a dozen requests, spread by the kernel over both)."""
    _link, venue = LinkStore(hosted.root).create("lieu", "fablab-la-forge")
    local = session_token(hosted)
    for _ in range(12):
        assert _get(f"{hosted.proxy_url}/t/{venue}/")[0] == 200
        assert _get(f"{hosted.proxy_url}/t/{local}/")[0] == 200


def test_the_access_log_never_holds_a_secret_link(hosted: Hosted) -> None:
    token = session_token(hosted)
    _get(f"{hosted.proxy_url}/t/{token}/candidatures/fablab-la-forge/")
    deadline = time.monotonic() + 5
    while "/t/[lien]/candidatures/fablab-la-forge/" not in hosted.nginx_log.read_text("utf-8"):
        assert time.monotonic() < deadline, hosted.nginx_log.read_text("utf-8")
        time.sleep(0.1)
    assert token not in hosted.nginx_log.read_text("utf-8")
    assert token not in hosted.serve_log.read_text("utf-8").split("\n", 2)[2]


def test_behind_caddy_too(hosted: Hosted, tmp_path: Path) -> None:
    """The shipped Caddyfile (on loopback, without its certificate): health, a form whose
    Origin is Caddy's address accepted, and no secret in Caddy's log."""
    from tests.hosting import behind_caddy

    token = session_token(hosted)
    with behind_caddy(hosted, tmp_path) as url:
        assert _get(f"{url}/healthz") == (200, '{"status":"ok"}')
        status, page = _get(f"{url}/t/{token}/")
        assert status == 200
        status, _body = _post(
            f"{url}/t/{token}/candidatures",
            {"_csrf": _csrf(page), "nom": "Tiers-lieu de Caddy"},
            {"Origin": url},
        )
        assert status == 303
    assert (hosted.root / "candidatures" / "tiers-lieu-de-caddy.yaml").is_file()
    log = (tmp_path / "access.log").read_text("utf-8")
    assert "/t/[lien]/" in log and token not in log


# -- slow clients ------------------------------------------------------------------------------


def test_half_open_connections_do_not_starve_the_server(hosted: Hosted) -> None:
    """Hundreds of connections send half a request head and wait: the server still answers
    at once, and closes them within its head timeout."""
    host, port = "127.0.0.1", int(hosted.serve_url.rsplit(":", 1)[1])
    sockets: list[socket.socket] = []
    try:
        for _ in range(HALF_OPEN):
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sockets.append(s)
        started = time.monotonic()
        assert _get(f"{hosted.serve_url}/healthz")[0] == 200
        assert time.monotonic() - started < 5
        deadline = time.monotonic() + 25
        closed = 0
        for s in sockets:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                if s.recv(1) == b"":
                    closed += 1
            except (TimeoutError, ConnectionError):
                pass
        assert closed == HALF_OPEN
    finally:
        for s in sockets:
            s.close()


def _app(tmp_path: Path, **settings: Any) -> tuple[TestClient, Path, LinkStore]:
    root = project_copy(tmp_path / "reseau")
    context = load_context(root, need_policy=True)
    store = LinkStore(root)
    app = create_app(
        Settings(root, root / "candidatures", root / "relectures", **settings),
        context,
        store=store,
    )
    return TestClient(app), root, store


def test_a_chunked_body_over_the_limit_is_a_clean_413(tmp_path: Path) -> None:
    client, _root, store = _app(tmp_path)
    token = store.session_link()

    def chunks() -> Any:
        for _ in range(150):  # 1.5 MB, over the limit (MAX_BODY)
            yield b"x" * 10_000

    answer = client.post(f"/t/{token}/candidatures", content=chunks())
    assert answer.status_code == 413
    assert "trop grande" in answer.text


def test_a_trickling_body_times_out_with_408() -> None:
    called = False

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal called
        called = True

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if not sent:
            sent.append({"first": True})
            return {"type": "http.request", "body": b"a=1", "more_body": True}
        await asyncio.sleep(10)
        raise AssertionError("never reached")

    responses: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        responses.append(message)

    limited = BodyLimit(app, 1000, timeout=0.2)
    started = time.monotonic()
    asyncio.run(limited({"type": "http", "headers": []}, receive, send))
    assert time.monotonic() - started < 3
    assert not called
    assert responses[0]["status"] == 408


# -- behind a proxy on another host ------------------------------------------------------------


def test_the_public_address_is_the_origin_forms_must_come_from(tmp_path: Path) -> None:
    client, root, store = _app(tmp_path, public_url="https://qualif.example.org")
    token = store.session_link()
    page = client.get(f"/t/{token}/")
    fields = {"_csrf": _csrf(page.text), "nom": "Lieu public"}
    refused = client.post(
        f"/t/{token}/candidatures", data=fields, headers={"Origin": "http://testserver"}
    )
    assert refused.status_code == 403
    accepted = client.post(
        f"/t/{token}/candidatures",
        data=fields,
        headers={"Origin": "https://qualif.example.org"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert (root / "candidatures" / "lieu-public.yaml").is_file()


def test_forwarded_headers_are_believed_from_trusted_proxies_only(hosted: Hosted) -> None:
    """serve trusts 127.0.0.1 by default (--forwarded-allow-ips): a form sent through an
    HTTPS proxy there, whose Origin is https, is accepted."""
    token = session_token(hosted)
    status, page = _get(f"{hosted.serve_url}/t/{token}/")
    netloc = hosted.serve_url.removeprefix("http://")
    status, _body = _post(
        f"{hosted.serve_url}/t/{token}/candidatures",
        {"_csrf": _csrf(page), "nom": "Derriere TLS"},
        {"Origin": f"https://{netloc}", "X-Forwarded-Proto": "https"},
    )
    assert status == 303


# -- links ------------------------------------------------------------------------------------


def test_a_broken_links_file_is_a_clear_error(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, root, store = _app(tmp_path)
    _link, venue = store.create("lieu", "fablab-la-forge")
    links = root / ".aptic-qualif" / "links.yaml"
    links.write_text(links.read_text("utf-8").replace("links:", "links: [", 1), "utf-8")
    answer = client.get(f"/t/{venue}/")
    assert answer.status_code == 503
    assert "links.yaml" in answer.text and "Traceback" not in answer.text
    assert client.get("/healthz").status_code == 503
    monkeypatch.chdir(root)
    result = runner.invoke(
        cli_app, ["serve", "--applications", "candidatures", "--reviews", "relectures"]
    )
    assert result.exit_code == 2, result.output
    assert "links.yaml" in result.output


@pytest.mark.parametrize("subject", ["mon lieu", "médiathèque", "a:b", "x" * 121])
def test_links_are_made_only_for_ids_the_web_serves(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, subject: str
) -> None:
    root = project_copy(tmp_path / "reseau")
    monkeypatch.chdir(root)
    for option in ("--venue", "--reviewer"):
        result = runner.invoke(
            cli_app, ["links", "create", option, subject, "--applications", "candidatures"]
        )
        assert result.exit_code == 2, result.output
        assert "lettres" in result.output
    assert not (root / ".aptic-qualif" / "links.yaml").exists()
    assert not list((root / "candidatures").glob("m*on*lieu*"))


def _serve_options(text: str, start: str) -> set[str]:
    """The long options of the command that begins at the line holding ``start`` (with its
    continuation lines)."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if start in line)
    block = [lines[first]]
    for line in lines[first + 1 :]:
        if not block[-1].rstrip().endswith("\\"):
            break
        block.append(line)
    return set(re.findall(r"--[a-z][a-z-]+", "\n".join(block)))


def test_the_deployment_files_name_what_serve_accepts() -> None:
    """The unit and the container recipe call serve with options it has."""
    result = CliRunner().invoke(cli_app, ["serve", "--help"], env={"COLUMNS": "200"})
    service = (REPO / "deploy" / "aptic-qualif.service").read_text("utf-8")
    container = (REPO / "deploy" / "Containerfile").read_text("utf-8")
    options = (
        _serve_options(service, "ExecStart=")
        | _serve_options(container, "ENTRYPOINT")
        | _serve_options(container, "podman run")
    )
    assert {"--public-url", "--workers", "--forwarded-allow-ips"} <= options
    for option in options:
        assert option in result.output, option


def test_links_are_printed_with_the_address_serve_uses(
    hosted: Hosted, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """links create printed links for port 8000 whatever port serve used."""
    monkeypatch.chdir(hosted.root)
    result = runner.invoke(cli_app, ["links", "create", "--reviewer", "louise-port"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith(f"{hosted.serve_url}/t/"), link
    assert _get(link)[0] == 200
