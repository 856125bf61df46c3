"""The default yield thresholds of ``compare``'s Monte Carlo boards, stated once: the analyses'
defaults, the CLI's and its help text read them from here."""

# A regression board passes when its max |output - the nominal circuit in ngspice| over the
# sweep is at most this, data units.
REGRESSION_YIELD_DEVIATION = 0.05
# A classifier board passes when its accuracy on the test samples is at least this fraction.
CLASSIFIER_YIELD_ACCURACY = 0.95
