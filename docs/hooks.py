"""MkDocs hooks: the parts of the site that are generated at build time.

- Each command page's reference, from the argparse parser: a page line
  ``<!-- circuitnet-reference fit -->`` becomes ``command_reference.reference_markdown("fit")``.
- The tutorial's results: ``examples/lecture_tutorial.py`` runs once per build into a
  temporary folder; a page line ``<!-- tutorial-output data -->`` becomes that run's
  ``data.md``, and its figures are served as ``tutorial/NAME.png``. A tutorial that fails
  fails the build, so CI's ``make docs`` runs the lecture on a circuit every time.
- The repository's pictures (``examples/figures/*.png``, made by ``make figures``) are served
  as ``figures/NAME.png``, so pages show the same files the examples write.

A placeholder naming a command or a tutorial step that does not exist fails the build.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).parent))
from command_reference import reference_markdown  # noqa: E402  (docs/ is not a package)

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "examples" / "lecture_tutorial.py"
FIGURES = ROOT / "examples" / "figures"
# Names are lower case, so prose can write "<!-- circuitnet-reference NAME -->" about them.
PLACEHOLDER = re.compile(r"<!-- (circuitnet-reference|tutorial-output) ([a-z0-9-]+) -->")
TUTORIAL_TIMEOUT_S = 600

_tutorial_folder: tempfile.TemporaryDirectory | None = None


def on_pre_build(config) -> None:
    """Run the tutorial into a fresh temporary folder (removed at the next build or exit)."""
    global _tutorial_folder
    if _tutorial_folder is not None:
        _tutorial_folder.cleanup()
    _tutorial_folder = tempfile.TemporaryDirectory(prefix="circuitnet-tutorial-")
    command = [sys.executable, str(TUTORIAL), "--out", _tutorial_folder.name]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TUTORIAL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PluginError(f"{TUTORIAL.name} ran longer than {TUTORIAL_TIMEOUT_S} s") from None
    if done.returncode != 0:
        raise PluginError(f"{TUTORIAL.name} failed (exit status {done.returncode}):\n{done.stderr[-3000:]}")


def on_files(files, config):
    """Serve the tutorial's figures and the repository's pictures beside the pages."""
    for folder, prefix in ((Path(_tutorial_folder.name), "tutorial"), (FIGURES, "figures")):
        for picture in sorted(folder.glob("*.png")):
            files.append(File.generated(config, f"{prefix}/{picture.name}", abs_src_path=str(picture)))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    return PLACEHOLDER.sub(lambda match: _fill(match.group(1), match.group(2), page.file.src_uri), markdown)


def _fill(kind: str, name: str, page: str) -> str:
    if kind == "circuitnet-reference":
        try:
            return reference_markdown(name)
        except KeyError as error:
            raise PluginError(f"{page}: {error.args[0]}") from None
    fragment = Path(_tutorial_folder.name) / f"{name}.md"
    if not fragment.is_file():
        raise PluginError(f"{page}: the tutorial wrote no step {name!r} (no {fragment.name})")
    return fragment.read_text()
