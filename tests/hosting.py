"""What the hosting tests share: ``serve`` run as a network runs it, behind Debian's nginx.

``aptic-qualif serve --workers 2`` is started as a process of its own, on loopback, over a
copy of the examples; nginx (Debian's package) is started in front of it with the project's
documented configuration (``deploy/nginx/*.conf``, included as they are), on loopback too.
Every server is stopped at the end of the module. nginx is needed: a contributor without it
sees these tests skipped, and under ``CI=true`` (``.ci/run`` installs it) its absence fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLI = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin" / "aptic-qualif"


def require_nginx() -> None:
    if Path(NGINX).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"nginx not found at {NGINX}: .ci/run installs Debian's nginx", pytrace=False)
    pytest.skip("no nginx: apt-get install nginx", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


@dataclass
class Hosted:
    root: Path
    serve_url: str
    """serve itself, on loopback."""
    proxy_url: str
    """nginx in front of it."""
    nginx_log: Path
    serve_log: Path


def project_copy(root: Path) -> Path:
    for name in ("referentiel", "questionnaire"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "examples" / "applications", root / "candidatures")
    (root / "relectures").mkdir()
    return root


def nginx_config(prefix: Path, listen: int, upstream: int) -> Path:
    """A test nginx: the shipped http-context and proxy files included as they are, the
    upstream and the listening address on loopback, logs and temporary files in ``prefix``."""
    deploy = REPO / "deploy" / "nginx"
    proxy = (deploy / "aptic-qualif-proxy.conf").read_text(encoding="utf-8")
    # the one line that names a system path: the same log format, in the test's folder
    proxy = proxy.replace("/var/log/nginx/aptic-qualif.access.log", str(prefix / "access.log"))
    (prefix / "aptic-qualif-proxy.conf").write_text(proxy, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {name}_temp_path {prefix / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = prefix / "nginx.conf"
    config.write_text(
        f"""{user}worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
{temp}    include {deploy / "aptic-qualif-http.conf"};
    upstream aptic_qualif {{ server 127.0.0.1:{upstream}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{listen};
        server_name localhost;
        include {prefix / "aptic-qualif-proxy.conf"};
    }}
}}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module", name="hosted")
def hosted_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosted]:
    require_nginx()
    base = tmp_path_factory.mktemp("hosted")
    root = project_copy(base / "reseau")
    serve_port, proxy_port = free_port(), free_port()
    serve_log = base / "serve.log"
    with serve_log.open("wb") as log:
        server = subprocess.Popen(
            [
                str(CLI),
                "serve",
                "--applications",
                "candidatures",
                "--reviews",
                "relectures",
                "--port",
                str(serve_port),
                "--workers",
                "2",
            ],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    prefix = base / "nginx"
    prefix.mkdir()
    config = nginx_config(prefix, proxy_port, serve_port)
    nginx = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{serve_port}/healthz")
        wait_for(f"http://127.0.0.1:{proxy_port}/healthz")
        yield Hosted(
            root=root,
            serve_url=f"http://127.0.0.1:{serve_port}",
            proxy_url=f"http://127.0.0.1:{proxy_port}",
            nginx_log=prefix / "access.log",
            serve_log=serve_log,
        )
    finally:
        for process in (nginx, server):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in (nginx, server):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def session_token(hosted: Hosted) -> str:
    """The session link that ``serve`` printed (on loopback)."""
    text = hosted.serve_log.read_text(encoding="utf-8", errors="replace")
    return text.split("/t/", 1)[1].split("/", 1)[0]


CADDY = shutil.which("caddy") or "/usr/bin/caddy"


def require_caddy() -> None:
    if Path(CADDY).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"caddy not found at {CADDY}: .ci/run installs Debian's caddy", pytrace=False)
    pytest.skip("no caddy: apt-get install caddy")


def caddy_config(folder: Path, listen: int, upstream: int) -> Path:
    """The shipped ``deploy/Caddyfile`` on loopback: plain HTTP on ``listen`` instead of the
    public name (no certificate to fetch), serve's port, the log in ``folder``; every other
    line as shipped."""
    text = (REPO / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    for old, new in (
        ("qualif.example.org {", f"http://127.0.0.1:{listen} {{"),
        ("reverse_proxy 127.0.0.1:8000", f"reverse_proxy 127.0.0.1:{upstream}"),
        ("/var/log/caddy/aptic-qualif.log", str(folder / "access.log")),
        ("\tservers {", f"\tadmin off\n\tstorage file_system {folder / 'data'}\n\tservers {{"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    config = folder / "Caddyfile"
    config.write_text(text, encoding="utf-8")
    return config


@contextmanager
def behind_caddy(hosted: Hosted, folder: Path) -> Iterator[str]:
    """Caddy in front of the hosted ``serve``; yields its address."""
    require_caddy()
    port = free_port()
    config = caddy_config(folder, port, int(hosted.serve_url.rsplit(":", 1)[1]))
    environment = {**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data")}
    caddy = subprocess.Popen(
        [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "caddy.log").open("wb"),
        env=environment,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", 20)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(caddy.pid, signal.SIGTERM)
        try:
            caddy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(caddy.pid, signal.SIGKILL)
            caddy.wait(timeout=5)
