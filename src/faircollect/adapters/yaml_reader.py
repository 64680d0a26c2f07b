"""Read a YAML file through its node tree so every mistake names the file, line and key path.

``yaml.safe_load`` throws line numbers away; ``yaml.compose`` keeps a mark on every node.
A ``NodeReader`` walks those nodes, converts what is valid and *collects* what is not, so a
lender fixing a strategy or a teams file sees every mistake at once, each as
``default.yaml:42: segments[2].actions[0].channel: unknown channel 'fax' (expected ...)``.
Shared by every YAML loader in faircollect (strategy, teams).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from faircollect.domain.bad_input import BadInput

E = TypeVar("E", bound=StrEnum)

_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True, slots=True)
class YamlIssue:
    """One mistake in a YAML file, at a line, under a key path."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class YamlFileError(BadInput):
    """A YAML file with one or more mistakes; ``issues`` lists them all in file order."""

    def __init__(self, issues: Iterable[YamlIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.path))
        super().__init__("\n".join(str(i) for i in self.issues))


class YamlTooDeep(BadInput):
    """A YAML document nested deeper than the parser can follow (it recurses per level)."""


_TOO_DEEP = "nested too deeply to be a configuration file (thousands of levels)"


def compose_yaml(text: str) -> Node | None:
    """``yaml.compose`` with the safe loader; ``YamlTooDeep`` instead of a RecursionError.

    PyYAML recurses once per nesting level, so 10 KB of "[" exhausts Python's stack.
    """
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise YamlTooDeep(_TOO_DEEP) from None


def load_yaml(text: str) -> object:
    """``yaml.safe_load`` with ``YamlTooDeep`` instead of a RecursionError."""
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise YamlTooDeep(_TOO_DEEP) from None


def child(path: str, key: str | int) -> str:
    """``segments`` + 2 -> ``segments[2]``; ``segments[2]`` + ``name`` -> ``segments[2].name``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class NodeReader:
    """Converts YAML nodes to values, recording a ``YamlIssue`` for each bad one."""

    def __init__(self, file_label: str) -> None:
        self.file = file_label
        self.issues: list[YamlIssue] = []

    def error(self, node: Node | None, path: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.issues.append(YamlIssue(self.file, line, path, message))

    def raise_if_any(self) -> None:
        if self.issues:
            raise YamlFileError(self.issues)

    def compose(self, text: str) -> Node | None:
        """The document's root node; a syntax error becomes an issue at its line."""
        try:
            root = compose_yaml(text)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = mark.line + 1 if mark is not None else 1
            self.issues.append(YamlIssue(self.file, line, "", f"YAML syntax: {err.problem}"))
            return None
        except YamlTooDeep as err:
            self.issues.append(YamlIssue(self.file, 1, "", str(err)))
            return None
        if root is None:
            self.issues.append(YamlIssue(self.file, 1, "", "the file is empty"))
        return root

    def mapping(
        self,
        node: Node | None,
        path: str,
        *,
        allowed: Collection[str],
        required: Collection[str] = (),
    ) -> dict[str, Node] | None:
        """A mapping's entries by key; unknown, duplicate and missing keys are issues."""
        if not isinstance(node, MappingNode):
            self.error(node, path, f"expected a mapping, got {_kind(node)}")
            return None
        entries: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in entries:
                self.error(key_node, child(path, key), "duplicate key")
            elif key not in allowed:
                self.error(key_node, child(path, key), _unknown("key", key, allowed))
            else:
                entries[key] = value_node
        for key in required:
            if key not in entries:
                self.error(node, path, f"missing required key '{key}'")
        return entries

    def sequence(self, node: Node | None, path: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.error(node, path, f"expected a list, got {_kind(node)}")
            return None
        return list(node.value)

    def string(self, node: Node | None, path: str) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag == _NULL_TAG or node.value == "":
            self.error(node, path, f"expected text, got {_kind(node)}")
            return None
        return str(node.value)

    def integer(self, node: Node | None, path: str, *, minimum: int | None = None) -> int | None:
        if not isinstance(node, ScalarNode) or node.tag != _INT_TAG:
            self.error(node, path, f"expected a whole number, got {_kind(node)}")
            return None
        try:
            value = int(str(node.value).replace("_", ""), 0)
        except ValueError:
            self.error(node, path, f"expected a whole number, got '{node.value}'")
            return None
        if minimum is not None and value < minimum:
            self.error(node, path, f"must be at least {minimum}, got {value}")
            return None
        return value

    def integers(self, node: Node | None, path: str) -> tuple[int, ...] | None:
        """A whole number or a list of them."""
        if isinstance(node, ScalarNode):
            value = self.integer(node, path)
            return None if value is None else (value,)
        items = self.sequence(node, path)
        if items is None:
            return None
        values = [self.integer(item, child(path, i)) for i, item in enumerate(items)]
        if not values:
            self.error(node, path, "expected at least one number")
        return tuple(v for v in values if v is not None) if None not in values else None

    def boolean(self, node: Node | None, path: str) -> bool | None:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
            self.error(node, path, f"expected true or false, got {_kind(node)}")
            return None
        return str(node.value).lower() in {"true", "yes", "on", "y"}

    def decimal(self, node: Node | None, path: str) -> Decimal | None:
        """An exact decimal; written as text so no float ever enters."""
        text = self.string(node, path)
        if text is None:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.error(node, path, f"expected a decimal number, got '{text}'")
            return None
        if not value.is_finite():
            self.error(node, path, f"expected a decimal number, got '{text}'")
            return None
        return value

    def choice(self, node: Node | None, path: str, enum: type[E], what: str) -> E | None:
        """One of an enum's values, named ``what`` in the message ("unknown channel 'fax'")."""
        text = self.string(node, path)
        if text is None:
            return None
        try:
            return enum(text)
        except ValueError:
            self.error(node, path, _unknown(what, text, [m.value for m in enum]))
            return None

    def strings(self, node: Node | None, path: str) -> tuple[str, ...] | None:
        """A text or a list of texts."""
        if isinstance(node, ScalarNode):
            value = self.string(node, path)
            return None if value is None else (value,)
        items = self.sequence(node, path)
        if items is None:
            return None
        values = [self.string(item, child(path, i)) for i, item in enumerate(items)]
        return tuple(v for v in values if v is not None) if None not in values else None


def raw_entry(node: Node | None, key: str) -> Node | None:
    """A mapping entry's value node, unvalidated: for checks across items (unique names)."""
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _unknown(what: str, value: str, expected: Iterable[str]) -> str:
    options = list(expected)
    close = difflib.get_close_matches(value, options, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown {what} '{value}' (expected one of {', '.join(options)}){hint}"


def _kind(node: Node | None) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL_TAG:
        return "nothing"
    return f"'{node.value}'"
