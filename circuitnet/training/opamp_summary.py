"""Every report's op-amp section: ``backends.opamp_summary`` (moved there so that ``simulate``,
which may not import training at start-up, prints the same line); kept here for its importers."""

from __future__ import annotations

from ..backends.opamp_summary import opamp_summary

__all__ = ["opamp_summary"]
