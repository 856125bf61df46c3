"""The differentiable NumPy twin of every topology (see ``model``)."""
