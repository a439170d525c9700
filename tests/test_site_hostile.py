"""A pull request cannot run code or publish secrets through the site build.

Each hostile change is what an attacker would send to a catalogue whose CI builds a
preview of the site, where tokens live: the build either refuses it with a located error
or neutralises it, nothing runs, and no secret of the build's environment or of the
machine reaches the site or the command's output.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.errors import CommandError
from aptic_qualif.publish.site.config import read_config
from tests.conftest import MINI, REPO

SECRET = "ghp_FAKE_TOKEN_c0ffee_7d1e5ca1"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "site", root / "site")
    return root


def _config(root: Path) -> Path:
    return root / "site" / "mkdocs.yml"


def _append(root: Path, text: str) -> None:
    config = _config(root)
    config.write_text(config.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def _replace(root: Path, old: str, new: str) -> None:
    config = _config(root)
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def _everything(folder: Path) -> str:
    """Every byte under ``folder``, as text (to look for a secret anywhere)."""
    if not folder.exists():
        return ""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file()
    )


def _publish(root: Path, out: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["publish", "site", "-o", str(out)])
    assert "Traceback" not in result.output and "erreur interne" not in result.output
    return f"{result.exit_code}\n{result.output}"


# -- the hostile changes of a pull request --------------------------------------------------


def _projects_plugin(root: Path, witness: Path) -> None:
    """S1: mkdocs-material's projects plugin reads nested configurations unchecked."""
    _replace(root, "plugins:\n", "plugins:\n  - material/projects\n")
    nested = root / "site" / "projects" / "x"
    nested.mkdir(parents=True)
    (nested / "mkdocs.yml").write_text(
        f"site_name: !!python/object/apply:os.system ['touch {witness}']\n", encoding="utf-8"
    )


def _snippets_from_root(root: Path, witness: Path) -> None:
    """S2: pymdownx.snippets includes any file of the machine."""
    _append(
        root,
        "  - pymdownx.snippets:\n"
        "      base_path: ['/']\n"
        "      check_paths: false\n"
        "      restrict_base_path: false\n",
    )
    page = root / "site" / "docs" / "utiliser.md"
    page.write_text(
        page.read_text(encoding="utf-8") + '\n--8<-- "/proc/self/environ"\n', encoding="utf-8"
    )


def _snippets_escaping_docs(root: Path, witness: Path) -> None:
    """S2 with the accepted options: a snippet path leading out of the pages."""
    _append(root, "  - pymdownx.snippets:\n      base_path: [docs]\n")
    page = root / "site" / "docs" / "utiliser.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\n--8<-- "/proc/self/environ"\n\n--8<-- "../../../secret.txt"\n',
        encoding="utf-8",
    )


def _symlink_in_docs(root: Path, witness: Path) -> None:
    """S3: a committed link to a file outside the project."""
    (root / "site" / "docs" / "secret.txt").symlink_to(root.parent / "secret.txt")


def _symlink_to_environment(root: Path, witness: Path) -> None:
    (root / "site" / "docs" / "env.txt").symlink_to("/proc/self/environ")


def _contributing_link(root: Path, witness: Path) -> None:
    """A repository file the site includes, linked outside the project."""
    target = root / "CONTRIBUTING.md"
    if target.exists():
        target.unlink()
    target.symlink_to(root.parent / "secret.txt")


def _theme_code(root: Path, witness: Path) -> None:
    """S5: Jinja in the theme overrides reaching Python's internals."""
    main = root / "site" / "overrides" / "main.html"
    main.write_text(
        main.read_text(encoding="utf-8")
        + "{% block analytics %}{% set x = lipsum.__globals__['os'].popen('touch "
        + str(witness)
        + "').read() %}{% endblock %}\n",
        encoding="utf-8",
    )


def _theme_environment(root: Path, witness: Path) -> None:
    """S5 without underscores: an unsandboxed environment built from MkDocs' objects."""
    main = root / "site" / "overrides" / "main.html"
    payload = (
        "{{ config.theme.get_env().from_string(\"{{ lipsum.__globals__.os.popen('touch "
        + str(witness)
        + "').read() }}\").render() }}"
    )
    main.write_text(
        main.read_text(encoding="utf-8")
        + "{% block analytics %}"
        + payload
        + "{{ config.theme.get_env }}{% endblock %}\n",
        encoding="utf-8",
    )


def _environment_tag(root: Path, witness: Path) -> None:
    _append(root, "repo_name: !ENV [SECRET_TOKEN, x]\n")


def _extension_by_module(root: Path, witness: Path) -> None:
    _append(root, "  - os:\n      path: x\n")


HOSTILE: dict[str, Callable[[Path, Path], None]] = {
    "projects-plugin": _projects_plugin,
    "snippets-from-root": _snippets_from_root,
    "snippets-escaping-docs": _snippets_escaping_docs,
    "symlink-in-docs": _symlink_in_docs,
    "symlink-to-environment": _symlink_to_environment,
    "contributing-link": _contributing_link,
    "theme-code": _theme_code,
    "theme-environment": _theme_environment,
    "environment-tag": _environment_tag,
    "extension-by-module": _extension_by_module,
}


@pytest.mark.parametrize("change", sorted(HOSTILE))
def test_a_hostile_pull_request_runs_nothing_and_publishes_no_secret(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """The CI of a pull request: a fake token in the environment and in a file beside the
    project, the pull request's change applied, then ``publish site``. The command either
    refuses (exit 2, a located error) or builds; nothing runs, and the token is nowhere in
    the site nor in what the command printed."""
    monkeypatch.setenv("SECRET_TOKEN", SECRET)
    witness = tmp_path / "executed"
    root = _project(tmp_path)
    (tmp_path / "secret.txt").write_text(f"machine github.com password {SECRET}\n", "utf-8")
    HOSTILE[change](root, witness)
    out = tmp_path / "out"
    printed = _publish(root, out, runner, monkeypatch)
    assert not witness.exists(), printed
    assert SECRET not in printed
    assert SECRET not in _everything(out)
    assert printed.startswith("2\n"), printed  # every one of these is refused
    assert re.search(r"error\[[A-Z]+\d{3}\]", printed), printed
    assert not out.exists()


def test_the_environment_is_not_in_the_shipped_build(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control case: the same CI run with the pull request unchanged builds, and the
    token is nowhere in the site."""
    monkeypatch.setenv("SECRET_TOKEN", SECRET)
    root = _project(tmp_path)
    out = tmp_path / "out"
    printed = _publish(root, out, runner, monkeypatch)
    assert printed.startswith("0\n"), printed
    assert SECRET not in _everything(out) and SECRET not in os.environ.get("PWD", "")


# -- located refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "needle", "code"),
    [
        ("plugins:\n  - material/projects\n", "material/projects", "SITE002"),
        ("extra_javascript:\n  - https://evil.example/steal.js\n", "evil.example", "SITE003"),
        ("extra_css:\n  - ../../etc/x.css\n", "etc/x.css", "SITE003"),
        ("extra:\n  analytics:\n    provider: google\n", "analytics", "SITE002"),
        (
            "extra:\n  social:\n    - icon: material/web\n      link: 'javascript:alert(1)'\n",
            "javascript",
            "SITE003",
        ),
        (
            "extra:\n  social:\n    - icon: ../../../etc/passwd\n      link: x\n",
            "passwd",
            "SITE003",
        ),
        ("nav:\n  - Accueil: index.md\n  - Clic: 'javascript:alert(1)'\n", "Clic", "SITE003"),
        ("nav:\n  - Dehors: ../../etc/passwd\n", "Dehors", "SITE003"),
        # browsers drop the tab: this is javascript:
        ('nav:\n  - Tab: "java\\tscript:alert(1)"\n', "Tab", "SITE003"),
        ('extra:\n  homepage: "java\\nscript:alert(1)"\n', "homepage", "SITE003"),
        ("theme:\n  name: material\n  static_templates: [x.html]\n", "static_templates", "SITE002"),
        ("plugins:\n  - search:\n      prebuild_index: true\n", "prebuild_index", "SITE002"),
        ("docs_dir: /\n", "docs_dir", "SITE003"),
        ("site_dir: /tmp/ailleurs\n", "site_dir", "SITE002"),
        ("extra_templates:\n  - x.html\n", "extra_templates", "SITE002"),
        ("repo_url: 'javascript:alert(1)'\n", "repo_url", "SITE003"),
        ("site_name: !!python/name:pymdownx.slugs.slugify\n", "site_name", "SITE003"),
        ("theme:\n  name: material\n  custom_dir: /etc\n", "custom_dir", "SITE003"),
        ("hooks:\n  - h.py\n", "hooks", "SITE001"),
    ],
)
def test_a_configuration_outside_the_allow_list_is_refused_where_it_is(
    tmp_path: Path, extra: str, needle: str, code: str
) -> None:
    config = tmp_path / "mkdocs.yml"
    base = (REPO / "site" / "mkdocs.yml").read_text(encoding="utf-8")
    key = extra.split(":", 1)[0]  # replace the shipped entry rather than repeat the key
    base = re.sub(rf"^{key}:.*\n(?:(?:[ #].*)?\n)*", "", base, flags=re.M)
    config.write_text(base + "\n" + extra, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        read_config(config, "site/mkdocs.yml")
    line = _line_of(config, needle)
    assert re.search(rf"site/mkdocs\.yml:{line}:\d+: error\[{code}\]", str(raised.value)), str(
        raised.value
    )


def test_every_problem_of_the_configuration_at_once(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: x\nsite_dir: /tmp\nextra_javascript: [https://e.example/a.js]\n"
        "plugins: [material/projects, search]\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        read_config(config, "mkdocs.yml")
    found = re.findall(r"mkdocs\.yml:(\d+):\d+: error\[(SITE\d+)\]", str(raised.value))
    assert found == [("2", "SITE002"), ("3", "SITE003"), ("4", "SITE002")]


def test_the_shipped_configurations_pass(tmp_path: Path) -> None:
    read_config(REPO / "site" / "mkdocs.yml")
    read_config(REPO / "site" / "mkdocs.en.yml")


def test_mkdocs_material_documented_options_pass(tmp_path: Path) -> None:
    """What a network would reasonably add: emoji, tabs, custom fences, tasks, social links,
    a logo from the pages, snippets from the pages, a repository."""
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        (REPO / "site" / "mkdocs.yml").read_text(encoding="utf-8")
        + "  - pymdownx.emoji:\n"
        + "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        + "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
        + "  - pymdownx.tabbed:\n      alternate_style: true\n"
        + "  - pymdownx.tasklist:\n      custom_checkbox: true\n"
        + "  - pymdownx.snippets:\n      base_path: [docs/extraits]\n      check_paths: true\n"
        + "repo_url: https://forge.example.org/reseau/referentiel\n"
        + "repo_name: reseau/referentiel\n",
        encoding="utf-8",
    )
    data = read_config(config)
    assert callable(data["markdown_extensions"][-4]["pymdownx.emoji"]["emoji_index"])
    slugify = data["markdown_extensions"][3]["toc"]["slugify"]
    assert slugify("Ça va", "-") == "ça-va"


def test_navigation_titles_are_escaped(tmp_path: Path) -> None:
    from aptic_qualif.publish.site.config import prepare

    nav = [{"<img src=x onerror=alert(1)>": "index.md"}, {"A & B": [{"<b>": "x.md"}]}]
    assert prepare({"nav": nav}, tmp_path)["nav"] == [
        {"&lt;img src=x onerror=alert(1)&gt;": "index.md"},
        {"A &amp; B": [{"&lt;b&gt;": "x.md"}]},
    ]


# -- what the configuration and the pages print --------------------------------------------


HOSTILE_TEXT = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture(scope="module")
def escaped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site whose configuration texts and front matter carry HTML, and which includes a
    snippet from its own pages."""
    from aptic_qualif.publish.site import build_site

    tmp = tmp_path_factory.mktemp("textes")
    root = _project(tmp)
    quoted = HOSTILE_TEXT.replace("'", "''")
    # markdown_extensions is the last section of the shipped configuration
    _append(root, "  - pymdownx.snippets:\n      base_path: [docs]\n")
    _replace(
        root,
        "extra:\n  generator: false\n",
        "extra:\n  generator: false\n  social:\n    - icon: material/web\n"
        f"      link: https://example.org/\n      name: '{quoted}'\n",
    )
    for key in ("site_name", "site_description", "site_author", "copyright"):
        config = _config(root)
        text = re.sub(
            rf"^{key}:.*\n(?:  .*\n)*", "", config.read_text(encoding="utf-8"), flags=re.M
        )
        config.write_text(text + f"{key}: '{key} {quoted}'\n", encoding="utf-8")
    page = root / "site" / "docs" / "utiliser.md"
    body = page.read_text(encoding="utf-8")
    page.write_text(
        f"---\ndescription: '{quoted}'\nauthor: '{quoted}'\n---\n"
        + body
        + '\n--8<-- "extrait.txt"\n',
        encoding="utf-8",
    )
    (root / "site" / "docs" / "extrait.txt").write_text("Texte inclus depuis les pages.\n", "utf-8")
    return build_site(root, tmp / "site")


def test_configuration_texts_and_front_matter_are_text(escaped_site: Path) -> None:
    for path in [escaped_site / "index.html", escaped_site / "utiliser" / "index.html"]:
        page = path.read_text(encoding="utf-8")
        assert "onerror" not in page.replace("onerror=alert(1)&gt;", "")
        assert "<script>alert(2)" not in page
        assert "<img src=x" not in page
        assert "site_name &#34;&gt;&lt;img" in page or "site_name &quot;&gt;&lt;img" in page
    guide = (escaped_site / "utiliser" / "index.html").read_text(encoding="utf-8")
    assert "Texte inclus depuis les pages." in guide  # a snippet from inside the pages works


def test_the_copyright_keeps_safe_markup_only(escaped_site: Path) -> None:
    page = (escaped_site / "index.html").read_text(encoding="utf-8")
    copyright = page.split('class="md-copyright__highlight">', 1)[1].split("</div>", 1)[0]
    assert "copyright" in copyright
    assert "<img" not in copyright or "onerror" not in copyright
    assert "<script" not in copyright


def test_every_problem_of_the_site_at_once(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link in the pages and two refusals in the configuration: one run says all three."""
    root = _project(tmp_path)
    _replace(root, "plugins:\n", "plugins:\n  - material/projects\n")
    _append(root, "extra_javascript:\n  - https://evil.example/steal.js\n")
    (root / "site" / "docs" / "env.txt").symlink_to("/proc/self/environ")
    printed = _publish(root, tmp_path / "out", runner, monkeypatch)
    assert printed.startswith("2\n"), printed
    found = re.findall(r"^(site/[^:]+)(?::\d+:\d+)?: error\[(SITE\d+)\]", printed, re.M)
    assert sorted(found) == [
        ("site/docs/env.txt", "SITE004"),
        ("site/mkdocs.yml", "SITE002"),
        ("site/mkdocs.yml", "SITE003"),
    ], printed
