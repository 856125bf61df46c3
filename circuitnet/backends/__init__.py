"""What computes a circuit's outputs, behind one ``Backend`` protocol: ``ideal``, ``surrogate``
and ``spice``. ``registry.simulate(circuit, x, backend=...)`` picks one by name."""
