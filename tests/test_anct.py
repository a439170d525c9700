"""The export of venues read by the national cartography's own library.

The cartography (ANCT) imports a producer's file with ``@gouvfr-anct/lieux-de-mediation-numerique``:
a value its enumerations do not know makes it refuse the whole venue. The library is pinned by
``tests/node/package-lock.json`` and installed with ``npm ci`` (``make node``, which ``make test``
and CI run); these tests run it with Debian's Node on what ``export lieux`` writes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.network.national import FORMATIONS_LABELS, LABELS_AS_OTHER
from tests.conftest import REPO
from tests.test_lieux import _rows, assert_valid_national

NODE_DIR = REPO / "tests" / "node"
LIBRARY = NODE_DIR / "node_modules" / "@gouvfr-anct" / "lieux-de-mediation-numerique"
APPLICATIONS = REPO / "examples" / "applications"
BOOKING = "https://strada-numerica.example.org/rendez-vous"


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    assert node is not None, "Node.js is needed (Debian: apt-get install nodejs npm)"
    assert (LIBRARY / "package.json").is_file(), (
        "the cartography's library is not installed: run `make node` (npm ci in tests/node)"
    )
    return node


def anct_read(records_file: Path) -> list[dict[str, Any]]:
    """Each record of a JSON export as the cartography's library reads it."""
    done = subprocess.run(
        [_node(), str(NODE_DIR / "check-lieux.cjs"), str(records_file)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _label_items() -> list[tuple[str, bool, list[tuple[str, str]]]]:
    """(item id, is an identity item, [(option value, national value)]) of every item whose
    options fill ``formations_labels`` (the identity's labels, the theme's trainings)."""
    context = load_context(REPO)
    return [
        (
            located.id,
            located.is_identity,
            [(o.value, o.export) for o in located.item.options or () if o.export],
        )
        for located in context.questionnaire.items
        if located.item.export == "formations_labels"
    ]


def _label_options() -> list[tuple[str, str]]:
    return [option for _id, _identity, options in _label_items() for option in options]


def _venue_with_every_label(folder: Path) -> Path:
    """bus-numerique-corse, with every option that fills ``formations_labels`` chosen (and a
    booking link)."""
    text = (APPLICATIONS / "bus-numerique-corse.yaml").read_text(encoding="utf-8")
    for item_id, identity, options in _label_items():
        chosen = "".join(f"    - {value}\n" for value, _export in options)
        block = re.compile(rf"^  {re.escape(item_id)}:\n(?:    - .*\n)*", re.M)
        if block.search(text):
            text = block.sub(lambda _m, i=item_id, c=chosen: f"  {i}:\n{c}", text, count=1)
        else:
            assert identity, item_id
            text = text.replace(
                "  frais_a_charge: gratuit\n", f"  {item_id}:\n{chosen}  frais_a_charge: gratuit\n"
            )
    text = text.replace(
        "  frais_a_charge: gratuit\n", f"  prise_rdv: {BOOKING}\n  frais_a_charge: gratuit\n"
    )
    # The booking link is asked of a venue that books online.
    ways_in = "  modalites_acces:\n    - se-presenter\n    - telephoner\n"
    assert ways_in in text
    text = text.replace(ways_in, ways_in + "    - prendre-rdv-en-ligne\n")
    folder.mkdir()
    (folder / "bus.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_pinned_library_is_the_one_installed() -> None:
    locked = json.loads((NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    pinned = locked["packages"]["node_modules/@gouvfr-anct/lieux-de-mediation-numerique"]
    _node()
    installed = json.loads((LIBRARY / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == pinned["version"] == "2.3.0"


def test_every_label_is_accepted_by_the_schema_and_the_cartography(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    apps = _venue_with_every_label(tmp_path / "apps")
    options = _label_options()
    assert {export for _value, export in options} == set(FORMATIONS_LABELS)

    target = tmp_path / "lieux.csv"
    result = runner.invoke(app, ["export", "lieux", str(apps), "--all", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "LIEU004" not in result.stderr
    assert_valid_national(target)  # frictionless, schema v1.0.2
    row = _rows(target.read_text(encoding="utf-8"))[1][0]

    records = tmp_path / "lieux.json"
    result = runner.invoke(
        app, ["export", "lieux", str(apps), "--all", "-f", "json", "-o", str(records)]
    )
    assert result.exit_code == 0, result.output
    [read] = anct_read(records)
    assert read["ok"], read.get("error")
    lieu = read["lieu"]
    accepted = set(lieu.get("formations_labels", [])) | set(
        lieu.get("autres_formations_labels", [])
    )
    for _value, export in options:
        # every label ticked reaches the cartography, in the library's spelling
        assert LABELS_AS_OTHER.get(export, export) in accepted, export
    assert lieu["prise_rdv"] == BOOKING  # the booking link, a national column too
    for schema_spelling, spelling in LABELS_AS_OTHER.items():
        assert schema_spelling not in row["formations_labels"].split("|")
        assert spelling in row["autres_formations_labels"].split("|")


def test_the_schema_spelling_alone_is_refused_by_the_cartography(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Why the label moves: the schema's own spelling in ``formations_labels`` makes the
    library refuse the venue (if this starts passing, the library or the schema was fixed and
    :data:`LABELS_AS_OTHER` can go)."""
    records = tmp_path / "lieux.json"
    result = runner.invoke(
        app, ["export", "lieux", "examples/applications", "--all", "-f", "json", "-o", str(records)]
    )
    assert result.exit_code == 0, result.output
    venues = json.loads(records.read_text(encoding="utf-8"))
    venue = dict(venues[0])
    [(schema_spelling, _spelling)] = LABELS_AS_OTHER.items()
    venue["formations_labels"] = schema_spelling
    records.write_text(json.dumps([venue], ensure_ascii=False), encoding="utf-8")
    [read] = anct_read(records)
    assert not read["ok"]
    assert read["error"].startswith("FormationLabelError")


def test_the_examples_are_all_accepted_by_the_cartography(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    records = tmp_path / "lieux.json"
    result = runner.invoke(
        app, ["export", "lieux", "examples/applications", "--all", "-f", "json", "-o", str(records)]
    )
    assert result.exit_code == 0, result.output
    read = anct_read(records)
    assert len(read) == len(json.loads(records.read_text(encoding="utf-8"))) > 0
    assert [r.get("error") for r in read if not r["ok"]] == []


def test_a_moved_label_is_imported_back_as_the_choice(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    apps = _venue_with_every_label(tmp_path / "apps")
    target = tmp_path / "lieux.csv"
    result = runner.invoke(app, ["export", "lieux", str(apps), "--all", "-o", str(target)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "imported"
    result = runner.invoke(app, ["import", "lieux", str(target), "-o", str(out)])
    assert result.exit_code == 0, result.output
    [skeleton] = out.glob("*.yaml")
    text = skeleton.read_text(encoding="utf-8")
    for _id, identity, options in _label_items():
        for value, _export in options if identity else ():
            assert re.search(rf"^\s+- {re.escape(value)}$", text, re.MULTILINE), value
