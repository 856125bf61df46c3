"""Typed result records whose fields say which JSON key they write and what it holds.

A result dataclass declares each field with ``described(text)``; ``record_dict`` writes the
JSON object (the fields in order, each under its key), and ``key_table`` the Markdown table
docs/file-formats.md shows for it, so the document and its documentation come from one
place. Fields declared without ``described`` (arrays, curves) are the record's own and are
neither written nor listed.
"""

from __future__ import annotations

from dataclasses import field, fields, is_dataclass
from typing import Any


def described(text: str, inline: bool = False, key: str | None = None, omit_none: bool = False,
              **default) -> Any:
    """A dataclass field with its description (``metadata["doc"]``), the row docs/file-formats.md
    shows for its key. inline: the field is a record whose keys are written in place of its
    own (no row); key: the JSON key when it is not the field's name (``yield`` is a Python
    keyword); omit_none: a None value writes no key at all (a section the run did not have);
    default: field()'s default or default_factory."""
    return field(metadata={"doc": text, "inline": inline, "key": key, "omit_none": omit_none}, **default)


def json_value(value: Any) -> Any:
    """A record's value as JSON holds it: records by their ``to_dict``, lists and dicts of
    them item by item; numbers, strings, None as they are."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    return value


def record_dict(record: Any) -> dict[str, Any]:
    """The JSON object of a dataclass whose fields are ``described``: each field's key in field
    order, its value by ``json_value``; a None value of an ``omit_none`` field is left out."""
    assert is_dataclass(record), f"{type(record).__name__} is not a dataclass"
    document: dict[str, Any] = {}
    for item in fields(record):
        if "doc" not in item.metadata:
            continue
        value = getattr(record, item.name)
        if value is None and item.metadata["omit_none"]:
            continue
        document[item.metadata["key"] or item.name] = json_value(value)
    return document


class Record:
    """A result record (a dataclass of ``described`` fields): ``to_dict()`` writes them as JSON keys."""

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def key_table(record: type) -> list[str]:
    """The Markdown table of ``record``'s described fields: | key | type | what it holds |."""
    rows = ["| key | type | what it holds |", "| --- | --- | --- |"]
    for item in fields(record):
        if "doc" not in item.metadata or item.metadata["inline"]:
            continue
        kind = str(item.type).replace("|", "or")
        key = item.metadata.get("key") or item.name
        text = item.metadata["doc"].replace("|", "\\|")  # a bar inside a cell would end it
        rows.append(f"| `{key}` | `{kind}` | {text} |")
    return rows


def key_names(record: type) -> list[str]:
    """The JSON keys ``record_dict`` can write for ``record``, in order."""
    return [item.metadata.get("key") or item.name for item in fields(record)
            if "doc" in item.metadata and not item.metadata["inline"]]


__all__ = ["Record", "described", "json_value", "key_names", "key_table", "record_dict"]
