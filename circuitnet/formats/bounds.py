"""The bounds of a model file, in a module of their own (no NumPy): the command line's flag
checks use them before anything heavy is imported, so ``circuitnet --help`` starts at once."""

# Bounds that keep a hostile file from asking for absurd amounts of memory or time.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_INPUTS = 4096  # a 64 x 64 image; MNIST has 784
MAX_WIDTH = 4096
MAX_LAYERS = 16
MAX_VOLTS = 1e3
MAX_NAME_CHARS = 200  # a column name or class label
