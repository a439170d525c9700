"""Time the pages of ``aptic-qualif serve`` with many applications in the project.

The web front is called in the process through Starlette's test client (no network: what is
measured is what the server does for a page), with N generated applications in its folder:
reading the whole network once (what ``serve`` does in the background when it starts, to count
and filter every application), the coordinator's dashboard before that is done (its page's
rows, the others within two seconds) and after (a row is kept while its files do not
change), with filters, its last page, a theme's form, an autosave (write the file, validate
it again, answer the questions shown and the errors), the recapitulation (with the score
preview), a reviewer's queue and the assignment proposal. Beside them, what a person would
run instead in a terminal: ``apply validate`` and ``assess`` on one file.

    python benchmarks/bench_web.py [--applications 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from aptic_qualif.access import LinkStore
from aptic_qualif.context import load_context
from aptic_qualif.web.app import Settings, create_app

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("aptic-qualif"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_applications import generate  # noqa: E402


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "reseau"
        for name in ("referentiel", "questionnaire"):
            shutil.copytree(REPO / name, root / name)
        folder = root / "candidatures"
        files = generate(args.applications, folder)
        context = load_context(root, need_policy=True)
        store = LinkStore(root)
        token = store.session_link()
        app = create_app(Settings(root, folder, root / "relectures"), context, store=store)
        client = TestClient(app, headers={"accept-language": "fr"})
        target = files[len(files) // 2].stem
        base = f"/t/{token}"
        form_page = client.get(f"{base}/candidatures/{target}/aptitudes").text
        csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', form_page)
        assert csrf is not None
        last = (args.applications + 49) // 50

        def ok(url: str) -> Callable[[], object]:
            def get() -> object:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            return get

        def autosave() -> object:
            response = client.post(
                f"{base}/candidatures/{target}/aptitudes",
                data={"_csrf": csrf.group(1), "apt-heures-mediation": "12"},
                headers={"x-autosave": "1"},
            )
            assert response.status_code == 200
            return response

        def fresh() -> Any:
            made = create_app(Settings(root, folder, root / "relectures"), context, store=store)
            return made

        def cold() -> object:
            response = TestClient(fresh()).get(f"{base}/")
            assert response.status_code == 200
            return response

        def warm_up() -> object:
            server = fresh().app.app.state.server
            server.warm_overview()
            return server

        app.app.app.state.server.warm_overview()
        runs = {
            "lecture de tout le réseau (au démarrage de serve, en tâche de fond)": warm_up,
            "coordination, premier affichage avant la fin de cette lecture": cold,
            "coordination, page 1 (lignes gardées)": ok(f"{base}/"),
            f"coordination, page {last}": ok(f"{base}/?page={last}"),
            "coordination, filtres (état, département, nom)": ok(
                f"{base}/?etat=soumise&departement=19&q=mediatheque"
            ),
            "coordination, proposition d'affectations": ok(f"{base}/affectations"),
            "formulaire d'un thème": ok(f"{base}/candidatures/{target}/aptitudes"),
            "enregistrement automatique (écrire, revalider, répondre)": autosave,
            "récapitulatif (avec l'aperçu du score)": ok(
                f"{base}/candidatures/{target}/recapitulatif"
            ),
            "file d'un relecteur, page 1": ok(f"{base}/relectures/claire-martin/"),
        }
        print(
            f"# {platform.platform()} — Python {platform.python_version()} — "
            f"{args.applications} candidatures — médiane de {args.repeat} requêtes\n"
        )
        print("| page | durée |\n|---|---:|")
        for name, action in runs.items():
            action()  # warm: templates compiled, modules imported
            print(f"| {name} | {median_ms(action, args.repeat):.0f} ms |")
        one = str(folder / f"{target}.yaml")
        for name, command in {
            "`aptic-qualif apply validate` (un fichier, démarrage compris)": [
                CLI,
                "--root",
                str(root),
                "apply",
                "validate",
                one,
            ],
            "`aptic-qualif assess` (un fichier, démarrage compris)": [
                CLI,
                "--root",
                str(root),
                "assess",
                one,
                "-f",
                "json",
            ],
        }.items():

            def run(command: list[str] = command) -> object:
                return subprocess.run(command, capture_output=True, check=False)

            print(f"| {name} | {median_ms(run, args.repeat):.0f} ms |")


if __name__ == "__main__":
    main()
