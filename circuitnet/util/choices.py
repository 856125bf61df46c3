"""A choice among named values, stated once: a ``str``-valued enum whose members are their
spelling (``"rail_limited" == OpAmpKind.RAIL_LIMITED``), so model files, reports and the
command line keep their words, while code names the choice instead of retyping the string.

The CLI's ``choices=`` and the model file's checks come from ``values()``; a new member
(a training mode, an op-amp kind) is added in one place.
"""

from __future__ import annotations

from enum import Enum


class Choice(str, Enum):
    """Base of the package's choices. ``str()`` and f-strings give the value (a plain ``Enum``
    would give ``ClassName.MEMBER``), so text written from a member is what a string gave."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every member's spelling, in declaration order (for ``choices=`` and messages)."""
        return tuple(str(member.value) for member in cls)
