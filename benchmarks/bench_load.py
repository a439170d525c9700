"""Load on ``aptic-qualif serve`` as a network runs it: many venues autosaving at once.

``serve --workers 2`` runs as its own process on loopback, over N blank applications, each
with its venue's secret link. Every venue has two tabs open, on two sections of its
application (the identity and the first theme), and types in one text of each: every
``--think`` seconds on average (randomly spread), a tab sends its whole form with the
changed text, as ``form.js`` does (``X-Autosave: 1``), waits for the answer, and sends the
version the server gives back (``_version``) with its next save. After ``--seconds``, every
file is read again: an answer is **lost** when the server said it was saved and the file
holds something else.

Printed: saves per second, p50 / p95 / max latency, answers refused as conflicts, errors,
lost answers. Beside it, the same count of saves made one after the other by a single
client (what one person's browser costs the server). Bounded in count and time; loopback
only.

    python benchmarks/bench_load.py [--venues 200] [--seconds 60] [--workers 2] [--think 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from aptic_qualif import editing
from aptic_qualif.access import LinkStore
from aptic_qualif.context import load_context

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("aptic-qualif"))
IDENTITY_TEXT = "presentation_resume"
"""The text each venue's first tab types in (the identity section)."""


class _Form(HTMLParser):
    """The fields of the page's autosaved form, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[list[str]] = []
        self._inside = False
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "data-autosave" in a:
            self._inside, self.action = True, a.get("action", "")
        elif not self._inside:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"submit", "button"}:
                return
            self.fields.append([a["name"], a.get("value", "")])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            self.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False


async def _request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a new loopback connection: (status, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _sep, content = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), content


@dataclass
class Tab:
    venue: str
    token: str
    section: str
    item: str
    form: _Form = field(default_factory=_Form)
    acked: str | None = None
    """The last value the server said it saved."""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    conflicts: int = 0
    errors: int = 0


async def _open(port: int, tab: Tab) -> None:
    status, page = await _request(
        port, "GET", f"/t/{tab.token}/candidatures/{tab.venue}/{tab.section}"
    )
    assert status == 200, (status, page[:300])
    tab.form.feed(page.decode("utf-8"))
    assert tab.form.action, "no autosaved form on the page"
    if not any(name == tab.item for name, _v in tab.form.fields):
        tab.form.fields.append([tab.item, ""])


async def _save(port: int, tab: Tab, number: int, tally: Tally) -> None:
    """One autosave of ``tab``, its text changed to a value numbered ``number``."""
    value = f"{tab.venue} {tab.section} {number} " + "texte " * 20
    for entry in tab.form.fields:
        if entry[0] == tab.item:
            entry[1] = value
    body = urllib.parse.urlencode([tuple(e) for e in tab.form.fields]).encode()
    started = time.perf_counter()
    try:
        status, answer = await _request(
            port,
            "POST",
            tab.form.action,
            body,
            {"X-Autosave": "1", "Origin": f"http://127.0.0.1:{port}"},
        )
    except OSError:
        tally.errors += 1
        return
    tally.latencies.append(time.perf_counter() - started)
    if status == 200:
        tab.acked = value
        data = json.loads(answer)
        if data.get("version"):  # as form.js does: the next save carries the new version
            for entry in tab.form.fields:
                if entry[0] == "_version":
                    entry[1] = str(data["version"])
    elif status == 409:
        tally.conflicts += 1
    else:
        tally.errors += 1


async def _type(port: int, tab: Tab, until: float, think: float, tally: Tally) -> None:
    rng = random.Random(tab.venue + tab.section)
    number = 0
    while True:
        left = until - time.monotonic()
        await asyncio.sleep(min(rng.expovariate(1 / think), max(left, 0)))
        if time.monotonic() >= until:
            return
        number += 1
        await _save(port, tab, number, tally)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _body = asyncio.run(_request(port, "GET", "/healthz"))
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("serve did not start")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--venues", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=4.0, help="mean seconds between saves")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "reseau"
        for name in ("referentiel", "questionnaire"):
            shutil.copytree(REPO / name, root / name)
        folder = root / "candidatures"
        folder.mkdir()
        context = load_context(root, need_policy=True)
        questionnaire = context.questionnaire
        sections = editing.sections(questionnaire)
        theme = sections[1]
        theme_text = next(
            located.id
            for located in questionnaire.theme_items(theme)
            if located.item.type == "text"
        )
        store = LinkStore(root)
        tabs: list[Tab] = []
        for number in range(args.venues):
            venue = f"lieu-{number:04d}"
            editing.create(folder / f"{venue}.yaml", questionnaire, identity={"nom": venue})
            _link, token = store.create("lieu", venue)
            tabs.append(Tab(venue, token, sections[0], IDENTITY_TEXT))
            tabs.append(Tab(venue, token, theme, theme_text))
        port = _free_port()
        server = subprocess.Popen(
            [
                *(CLI, "serve", "--applications", "candidatures", "--reviews", "relectures"),
                *("--port", str(port), "--workers", str(args.workers)),
            ],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait(port)
            tally = Tally()

            async def run() -> float:
                for start in range(0, len(tabs), 50):
                    await asyncio.gather(*(_open(port, t) for t in tabs[start : start + 50]))
                began = time.monotonic()
                until = began + args.seconds
                await asyncio.gather(*(_type(port, t, until, args.think, tally) for t in tabs))
                return time.monotonic() - began

            elapsed = asyncio.run(run())
            # one client alone, one save after the other: what a single browser costs
            alone = Tally()

            async def sequential() -> None:
                for number in range(30):
                    await _save(port, tabs[0], 10_000 + number, alone)

            asyncio.run(sequential())
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        lost = 0
        for tab in tabs:
            if tab.acked is None:
                continue
            data = editing.read_data(folder / f"{tab.venue}.yaml")
            where = data.get("lieu", {}) if tab.section == sections[0] else data.get("reponses", {})
            if where.get(tab.item) != tab.acked.strip() and where.get(tab.item) != tab.acked:
                lost += 1
    saves = len(tally.latencies)
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"serve --workers {args.workers}"
    )
    print(
        f"{args.venues} venues, 2 tabs each, one save every {args.think} s on average per tab, "
        f"{elapsed:.0f} s"
    )
    print(f"  saves answered      {saves} ({saves / elapsed:.1f} per second)")
    if saves:
        print(
            f"  latency             p50 {statistics.median(tally.latencies) * 1000:.0f} ms, "
            f"p95 {_percentile(tally.latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(tally.latencies) * 1000:.0f} ms"
        )
    print(f"  conflicts (409)     {tally.conflicts}")
    print(f"  errors              {tally.errors}")
    print(f"  lost answers        {lost}")
    if alone.latencies:
        print(f"  one client alone    p50 {statistics.median(alone.latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
