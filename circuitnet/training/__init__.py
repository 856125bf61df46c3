"""Training: ideal networks, component values through the surrogate or with ngspice in the
loop, E-series snapping, hyperparameter search, and the ``fit`` pipeline that joins them."""
