"""Infrastructure that knows nothing of circuits: atomic files, executors, the allocator opt-in.

The lowest layer with ``errors``; see docs/architecture.md."""
