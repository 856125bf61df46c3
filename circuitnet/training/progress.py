"""How a fit run reports its progress: per stage and per epoch."""

from __future__ import annotations


class Progress:
    """Per-epoch callbacks; the CLI's shows a progress bar, the default says nothing."""

    def stage(self, name: str, total: int, done: int = 0) -> None: ...

    def epoch(self, state) -> None: ...

    def close(self) -> None: ...

    def samples(self):
        """A progress(done, total) callback for samples simulated in ngspice, or None."""
        return None
