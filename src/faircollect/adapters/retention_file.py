"""Read the retention periods: the shipped ``retention.yaml``, then a lender's override.

The shipped file holds every category (period, floor, basis); the override names only the
categories whose ``keep`` it changes, and may give itself a ``name`` (the policy's version
becomes ``cn-2026.1+name``, as the rule pack's does). Each mistake is reported with its
line (a ``YamlFileError``, which is ``BadInput``). Floors are checked when a run knows its
date and the rule pack (``domain.retention.cutoffs``).
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from yaml.nodes import Node

from faircollect.adapters.input_files import read_text_file
from faircollect.adapters.yaml_reader import NodeReader, YamlFileError, YamlIssue, child
from faircollect.domain.retention import (
    RET_1,
    Category,
    KeptRecord,
    Period,
    RetentionPolicy,
    RetentionRule,
)

RETENTION_VARIABLE = "FAIRCOLLECT_RETENTION"
_RULE_KEYS = ("keep", "minimum", "floor", "basis", "confidence")
_KEPT_KEYS = ("name", "records", "basis")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def load_retention(override: Path | None = None) -> RetentionPolicy:
    """The shipped periods, with ``override`` (else ``$FAIRCOLLECT_RETENTION``) applied."""
    from faircollect.data.retention import retention_yaml_text

    policy = _shipped(retention_yaml_text(), "retention.yaml")
    from_env = os.environ.get(RETENTION_VARIABLE)
    chosen = override or (Path(from_env) if from_env else None)
    if chosen is None:
        return policy
    return _override(policy, read_text_file(chosen), str(chosen))


def _shipped(text: str, source: str) -> RetentionPolicy:
    r = NodeReader(source)
    root = r.compose(text)
    top = (
        r.mapping(
            root, "", allowed=("version", "categories", "kept"), required=("version", "categories")
        )
        if root is not None
        else None
    )
    r.raise_if_any()
    assert top is not None
    version = r.string(top["version"], "version")
    cats = r.mapping(
        top["categories"],
        "categories",
        allowed=[c.value for c in Category],
        required=[c.value for c in Category],
    )
    rules = []
    for key, node in (cats or {}).items():
        rule = _rule(r, Category(key), node)
        if rule is not None:
            rules.append(rule)
    kept = [k for k in (_kept(r, n, i) for i, n in enumerate(_items(r, top.get("kept")))) if k]
    r.raise_if_any()
    order = list(Category)
    rules.sort(key=lambda rule: order.index(rule.category))
    return RetentionPolicy(version or "", tuple(rules), tuple(kept))


def _rule(r: NodeReader, category: Category, node: Node) -> RetentionRule | None:
    path = child("categories", category.value)
    f = r.mapping(node, path, allowed=_RULE_KEYS, required=("keep", "basis", "confidence"))
    if f is None:
        return None
    keep = _period(r, f["keep"], child(path, "keep")) if "keep" in f else None
    minimum = _period(r, f["minimum"], child(path, "minimum")) if "minimum" in f else None
    floor = r.string(f["floor"], child(path, "floor")) if "floor" in f else None
    if floor is not None and floor != RET_1:
        r.error(f["floor"], child(path, "floor"), f"the only floor rule is {RET_1}")
    basis = r.string(f["basis"], child(path, "basis")) if "basis" in f else None
    confidence = r.string(f["confidence"], child(path, "confidence")) if "confidence" in f else None
    if keep is None or basis is None or confidence is None:
        return None
    return RetentionRule(category, keep, basis.strip(), confidence, minimum, floor)


def _items(r: NodeReader, node: Node | None) -> list[Node]:
    return (r.sequence(node, "kept") or []) if node is not None else []


def _kept(r: NodeReader, node: Node, index: int) -> KeptRecord | None:
    path = child("kept", index)
    f = r.mapping(node, path, allowed=_KEPT_KEYS, required=_KEPT_KEYS)
    if f is None:
        return None
    texts = [r.string(f[k], child(path, k)) for k in _KEPT_KEYS]
    name, records, basis = texts
    if name is None or records is None or basis is None:
        return None
    return KeptRecord(name, records, basis.strip())


def _period(r: NodeReader, node: Node, path: str) -> Period | None:
    text = r.string(node, path)
    if text is None:
        return None
    try:
        return Period.parse(text)
    except ValueError as error:
        r.error(node, path, str(error))
        return None


def _override(policy: RetentionPolicy, text: str, source: str) -> RetentionPolicy:
    r = NodeReader(source)
    root = r.compose(text)
    top = r.mapping(root, "", allowed=("name", "categories")) if root is not None else None
    r.raise_if_any()
    assert top is not None
    name = r.string(top["name"], "name") if "name" in top else "lender"
    if name is not None and not _NAME.fullmatch(name):
        r.error(top["name"], "name", "expected a short name of letters, digits, _ . -")
    changed = {}
    cats = (
        r.mapping(top["categories"], "categories", allowed=[c.value for c in Category])
        if "categories" in top
        else {}
    )
    for key, node in (cats or {}).items():
        path = child("categories", key)
        f = r.mapping(node, path, allowed=("keep",), required=("keep",))
        given = f.get("keep") if f is not None else None
        keep = _period(r, given, child(path, "keep")) if given is not None else None
        if keep is not None:
            changed[Category(key)] = keep
    r.raise_if_any()
    rules = tuple(
        replace(rule, keep=changed[rule.category]) if rule.category in changed else rule
        for rule in policy.rules
    )
    return replace(policy, version=f"{policy.version}+{name}", rules=rules)


__all__ = ["RETENTION_VARIABLE", "YamlFileError", "YamlIssue", "load_retention"]
