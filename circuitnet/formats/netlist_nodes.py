"""The node names of an imported netlist, resolved as ngspice resolves them.

The netlist's own nodes are the nodes its top-level elements touch, including every node a
subcircuit instance (``X``) connects. Inside an instance, a subcircuit's ports *are* the
nodes the instance connects them to; its other nodes are internal, and ngspice names them
by the instance path, lowercase: ``x1.mid`` is node ``mid`` of instance ``X1``,
``x1.x2.mid`` is node ``mid`` of instance ``X2`` inside ``X1``. Ground (``0``, and ``gnd``,
which ngspice takes as ground too) is global: it is never an internal node.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..errors import NetlistImportError

GROUND = frozenset({"0", "gnd"})
LISTED = 20  # node names an error message lists before "and N more"
SUGGESTED = 5  # dotted names an error offers for a node that is inside instances
SEARCHED_INSTANCES = 10_000  # instances visited looking for suggestions (a netlist can expand to 100,000)


@dataclass
class Scope:
    """One level of a netlist: the top level, or one subcircuit definition (all lowercase).

    ports: a subcircuit's port nodes, in order (none at the top level).
    nodes: every node the level's own elements and instances touch, ports included.
    instances: instance name (``x1``) -> the subcircuit it places and the level's nodes it
        connects to that subcircuit's ports, in port order.
    """

    ports: tuple[str, ...] = ()
    nodes: set[str] = field(default_factory=set)
    instances: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def internal(self) -> set[str]:
        """Nodes that exist only inside this level (not a port, not ground)."""
        return self.nodes - set(self.ports) - GROUND


@dataclass(frozen=True)
class NodeNames:
    """Every node of a netlist by the name ngspice gives it. top: the top level;
    subcircuits: subcircuit name -> its definition."""

    top: Scope
    subcircuits: dict[str, Scope]

    def resolve(self, asked: str, netlist: str = "netlist") -> str:
        """The name of node ``asked`` as ngspice's vectors call it (lowercase): a top-level
        node, or an internal node by its dotted instance path. NetlistImportError, in one
        sentence that names what exists instead, when there is no such node."""
        parts = asked.lower().split(".")
        if len(parts) == 1:
            if parts[0] in self.top.nodes:
                return parts[0]
            raise NetlistImportError(self._not_at_top(asked, netlist))
        scopes: list[Scope] = [self.top]  # the levels walked through, outermost first
        path: list[str] = []
        for instance in parts[:-1]:
            if instance not in scopes[-1].instances:
                where = f"inside {'.'.join(path)}" if path else "at the top level"
                listed = _listed(scopes[-1].instances) or "none"
                raise NetlistImportError(f"{netlist}: no node {asked!r}: there is no subcircuit instance "
                                         f"{instance!r} {where} (instances there: {listed})")
            path.append(instance)
            scopes.append(self.subcircuits[scopes[-1].instances[instance][0]])
        node, subcircuit = parts[-1], scopes[-2].instances[path[-1]][0]
        if node in scopes[-1].internal:
            return ".".join(parts)
        if node in GROUND:
            raise NetlistImportError(f"{netlist}: {asked!r} is ground (0 V everywhere), not a node of instance "
                                     f"{'.'.join(path)}")
        if node in scopes[-1].ports:
            raise NetlistImportError(f"{netlist}: {asked!r} is port {node!r} of subcircuit {subcircuit}, which "
                                     f"ngspice names by the node it is connected to: ask for "
                                     f"{self._connected(scopes, path, node)!r}")
        raise NetlistImportError(f"{netlist}: no node {asked!r}: subcircuit {subcircuit} has no internal node "
                                 f"{node!r} (its internal nodes: {_listed(scopes[-1].internal) or 'none'})")

    def _connected(self, scopes: list[Scope], path: list[str], node: str) -> str:
        """ngspice's name of the node that port ``node`` of the instance at ``path`` is
        connected to (scopes: the levels from the top down to that instance's subcircuit)."""
        while path and node in scopes[-1].ports and node not in GROUND:
            connections = scopes[-2].instances[path[-1]][1]
            node = connections[scopes[-1].ports.index(node)]
            scopes, path = scopes[:-1], path[:-1]
        return ".".join([*path, node]) if path and node not in GROUND else node

    def _not_at_top(self, asked: str, netlist: str) -> str:
        message = f"{netlist}: no node {asked!r} in the netlist (its nodes: {_listed(self.top.nodes)})"
        inside = self._inside_instances(asked.lower())
        if inside:
            message += (f"; {asked!r} is a node inside subcircuit instances, which ngspice names by their path: "
                        f"{', '.join(inside)}")
        return message

    def _inside_instances(self, node: str) -> list[str]:
        """Up to SUGGESTED dotted names of internal nodes called ``node``, outermost first."""
        found: list[str] = []
        queue: deque[tuple[tuple[str, ...], Scope]] = deque([((), self.top)])
        visited = 0
        while queue and len(found) < SUGGESTED and visited < SEARCHED_INSTANCES:
            path, scope = queue.popleft()
            visited += 1
            if path and node in scope.internal:
                found.append(".".join(path + (node,)))
            queue += [(path + (instance,), self.subcircuits[placed])
                      for instance, (placed, _) in scope.instances.items()]
        return found


def _listed(names) -> str:
    """Sorted names, at most LISTED of them, then how many more there are."""
    ordered = sorted(names)
    shown = ", ".join(ordered[:LISTED])
    return shown + (f" and {len(ordered) - LISTED} more" if len(ordered) > LISTED else "")
