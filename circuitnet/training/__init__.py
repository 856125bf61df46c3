"""Training: data splits, ideal networks, component values through the surrogate or with ngspice
in the loop, E-series snapping, hyperparameter search, and ``FitRun``, the whole fit that joins
them (``run.py``)."""
