"""circuitnet's own reading of ngspice's messages: which lines mean the analysis failed.

ngspice mixes notes, warnings and errors on stdout and stderr, and PySpice 1.5 classifies
them wrongly both ways (see docs/spice.md). A line is a failure when it
starts with one of FAILURE_PREFIXES or contains one of FAILURE_PHRASES; notes such as
``Note: Starting gmin stepping`` or ``Using SPARSE 1.3`` never are.
"""

from __future__ import annotations

FAILURE_PREFIXES = ("error", "doanalyses:", "fatal", "abort")
FAILURE_PHRASES = (
    "simulation(s) aborted",
    "simulation aborted",
    "cannot recover",
    "singular matrix",
    "timestep too small",
    "no such vector",
    "unknown subckt",
    "unknown model",
    "could not find",
    "too few nodes",
    "dc solution failed",
    "interrupted due to error",
    "can't find model",
    "valid modelname",
    "circuit not parsed",
    # ngspice's last resort at a DC point: when even source stepping fails it prints this as a
    # warning and carries on with an unsolved point (volts off by tenths, seen on an op-amp board)
    "source stepping failed",
)
# Failures that another linear solver may not have (see ``library.NgspiceLibrary.run``).
SOLVER_SENSITIVE_PHRASES = ("source stepping failed",)


# A failure line ending like this names its element on the next line ("Error on line 4 or
# its substitute:" / "  q7 x y"); the two are reported together.
_CONTINUED = (":", "from line")


def failure_lines(output: str) -> list[str]:
    """The lines of ngspice's output that report a failure, stripped, in order."""
    lines = [line.strip() for line in output.splitlines()]
    found = []
    for index, text in enumerate(lines):
        lower = text.lower()
        if lower.startswith(FAILURE_PREFIXES) or any(phrase in lower for phrase in FAILURE_PHRASES):
            if lower.endswith(_CONTINUED) and index + 1 < len(lines) and lines[index + 1]:
                text = f"{text} {lines[index + 1]}"
            found.append(text)
    return found
