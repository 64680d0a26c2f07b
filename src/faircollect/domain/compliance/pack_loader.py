"""The I/O edge of rule packs: read the shipped ``cn`` data and a lender's overrides YAML.

Kept apart from ``pack`` so the pack objects and their validation stay pure; this module only
turns files into plain mappings (and YAML syntax errors into ``RulePackError``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from faircollect.domain.compliance.pack import RulePack, RulePackError, pack_from_mapping

DEFAULT_PACK = "cn"


def _parse_yaml(text: str, source: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise RulePackError(source, where, f"not valid YAML: {error}") from None
    except RecursionError:
        raise RulePackError(source, "(file)", "not valid YAML: nested too deeply") from None


@cache
def load_default(name: str = DEFAULT_PACK) -> RulePack:
    """A pack shipped in ``faircollect/data/rules/<name>.yaml``; cached for the process."""
    source = f"faircollect/data/rules/{name}.yaml"
    text = resources.files("faircollect.data.rules").joinpath(f"{name}.yaml").read_text("utf-8")
    return pack_from_mapping(_parse_yaml(text, source), source)


def load_overrides(path: Path) -> object:
    """The parsed content of a lender's overrides file (validated by ``pack.tighten``)."""
    from faircollect.adapters.input_files import InputFileError, read_text_file

    try:
        text = read_text_file(path)
    except InputFileError as error:
        where = f"line {error.line}" if error.line else "(file)"
        raise RulePackError(str(path), where, error.reason) from None
    return _parse_yaml(text, str(path))
