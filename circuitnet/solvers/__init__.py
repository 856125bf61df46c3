"""The surrogate's differentiable NumPy kernel: reverse-mode autodiff, the diode junction in
closed form, Wright omega, rectifier solves, and the summers and loading every topology
shares. Topologies build their surrogate cells from these; ``backends.surrogate`` runs them."""
