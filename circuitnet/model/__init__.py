"""Pure descriptions in SI units: networks, devices, circuits and their elements, node names,
sweeps, boards. No simulation happens here."""
