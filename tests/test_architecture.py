"""The package's structure: imports flow one way, from higher layers to lower ones, with no cycle.

The layers, lowest first (a module may import from its own layer and the layers below it):

    errors, util      named errors; atomic files and executors that know nothing of circuits
    model             networks, devices, circuits, node names, boards: pure descriptions
    solvers           the surrogate's differentiable NumPy kernel: autodiff, junctions, rectifiers
    topologies        how a network becomes a circuit: sizing, netlist elements, surrogate cells
    formats           model files, data tables, imported netlists
    backends          what computes a circuit's outputs: ideal, surrogate, spice
    training          data splits, problems, the training loop, fit runs
    analysis          compare, Monte Carlo, power, the elbow of one neuron
    build             from a model to a board: placement, drawings, KiCad schematic, parts list
    interface         the CLI, estimators, plots and reports

Every import counts, including those inside functions: a deferred import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import circuitnet
from circuitnet import TOPOLOGIES

LAYERS = (
    ("errors", "util"),
    ("model",),
    ("solvers",),
    ("topologies",),
    ("formats",),
    ("backends",),
    ("training",),
    ("analysis",),
    ("build",),
    ("interface",),
)
PACKAGE_ROOT = Path(circuitnet.__file__).parent


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's own modules it imports (anywhere in its body)."""
    package = root.name
    modules = {module_name(path, root): path for path in root.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                # ``from X import Y``: Y is a module of X, or a name defined in X itself
                candidates = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target
                              for alias in node.names]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            found |= {c for c in candidates if c in modules and c != name and c.split(".")[0] == package}
        graph[name] = found
    return graph


def layer_of(module: str) -> int | None:
    """Index into LAYERS of a module ``circuitnet.<top>...``; None for the package itself."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] == "__main__":
        return None
    for index, names in enumerate(LAYERS):
        if parts[1] in names:
            return index
    raise AssertionError(f"{module} is in no layer: add its folder to LAYERS in {__file__}")


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        own = layer_of(module)
        for target in sorted(targets):
            theirs = layer_of(target)
            if own is not None and theirs is not None and theirs > own:
                problems.append(f"{module} ({'/'.join(LAYERS[own])}) imports {target} ({'/'.join(LAYERS[theirs])})")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_parent_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports of the top-level package itself (``from circuitnet import X``) from inside it:
    they would pull in the whole public API, the interface layer included."""
    return [module for module, targets in graph.items() if "circuitnet" in targets and module != "circuitnet"]


def test_no_import_points_to_a_higher_layer():
    assert upward_imports(import_graph(PACKAGE_ROOT)) == []


def test_no_import_cycle():
    assert cycles(import_graph(PACKAGE_ROOT)) == []


def test_no_module_imports_the_public_api():
    assert package_parent_imports(import_graph(PACKAGE_ROOT)) == []


def test_every_folder_is_in_a_layer():
    tops = {path.name for path in PACKAGE_ROOT.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    tops |= {path.stem for path in PACKAGE_ROOT.glob("*.py") if path.stem not in ("__init__", "__main__")}
    assert tops == {name for names in LAYERS for name in names}


@pytest.fixture
def fake_package(tmp_path):
    """A package ``pkg`` whose model imports training (upward) and training imports model back."""
    root = tmp_path / "pkg"
    for folder in ("model", "training"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "model" / "circuit.py").write_text("def f():\n    from ..training import loop\n")
    (root / "training" / "loop.py").write_text("from ..model.circuit import f\n")
    return root


def test_the_checks_find_an_upward_import_and_a_cycle(fake_package):
    graph = import_graph(fake_package)
    assert graph["pkg.model.circuit"] == {"pkg.training.loop"}
    assert cycles(graph) == [["pkg.model.circuit", "pkg.training.loop"]]
    renamed = {f"circuitnet.{k[4:]}": {f"circuitnet.{t[4:]}" for t in v} for k, v in graph.items() if k != "pkg"}
    assert upward_imports(renamed) == [
        "circuitnet.model.circuit (model) imports circuitnet.training.loop (training)"]


def twin_of(model):
    """A topology class named "twin" that subclasses the base class ``Topology`` directly (not
    the model's class) and hands every method the model's class defines or overrides to the
    model; attributes are copied. Code that tests a topology's name or its class
    (``isinstance(t, DiodeTopology)``) treats the twin differently from its model."""
    from circuitnet.topologies import Topology

    def handed_to_model(attribute):
        return lambda self, *args, **kwargs: getattr(model, attribute)(*args, **kwargs)
    namespace = {"name": "twin", "summary": f"the {model.name} topology under another name"}
    own_classes = type(model).__mro__[:type(model).__mro__.index(Topology)]
    for klass in reversed(own_classes):  # subclasses last: their overrides win
        for attribute, value in vars(klass).items():
            if attribute.startswith("__") or attribute in ("name", "summary"):
                continue
            namespace[attribute] = handed_to_model(attribute) if callable(value) else value
    return type("TwinTopology", (Topology,), namespace)


@pytest.mark.parametrize("model", sorted(TOPOLOGIES))
def test_a_topology_is_one_class_and_its_registration(monkeypatch, rng, tmp_path, model):
    """A topology registered from outside the package goes through realisation, read-back, the
    netlist, the model file, the surrogate and the ideal backend with no other change: nothing
    tests a topology's name or class. (The twin subclasses ``Topology`` and hands its work to a
    registered topology, so every answer must equal that topology's circuit's.)"""
    from conftest import random_network

    from circuitnet import load_model, read_back, realise, save_model, simulate
    from circuitnet.formats import modelfile
    from circuitnet.topologies import netlist_lines
    twin_topology = twin_of(TOPOLOGIES[model])()
    assert not isinstance(twin_topology, type(TOPOLOGIES[model]))
    monkeypatch.setitem(TOPOLOGIES, "twin", twin_topology)
    hidden = [5, 3] if (TOPOLOGIES[model].max_hidden_layers or 2) >= 2 else [5]
    net = random_network(rng, 2, hidden, 1)
    twin, original = realise(net, "twin"), realise(net, model)
    assert [line.replace("twin", model) for line in netlist_lines(twin)] == netlist_lines(original)
    for made, read in zip(net.layers, read_back(twin).layers):
        np.testing.assert_allclose(read.weights, made.weights, rtol=1e-9, atol=1e-12)
    x = rng.uniform(-1, 1, (50, 2))
    for backend in ("surrogate", "ideal"):
        a, b = simulate(twin, x, backend), simulate(original, x, backend)
        np.testing.assert_array_equal(a.y, b.y)
        assert a.nodes.keys() == b.nodes.keys()
    loaded = load_model(save_model(twin, tmp_path / "twin.json"))
    assert loaded.topology == "twin" and modelfile.dumps(loaded) == modelfile.dumps(twin)
