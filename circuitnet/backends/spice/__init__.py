"""ngspice backends. Importing circuitnet does not load libngspice."""
