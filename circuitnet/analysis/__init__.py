"""What circuitnet measures about a circuit: ``compare`` (neurons, network, temperatures, Monte
Carlo, power) and the elbow of a single neuron."""
