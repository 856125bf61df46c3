"""From a trained model to a board a person can build: the placement of every part, the
drawings, the KiCad schematic, the parts list, the wiring list and the build notes."""
