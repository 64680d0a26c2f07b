"""Read the lender's configuration (YAML), every mistake with its line."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from yaml.nodes import MappingNode, Node

from faircollect.adapters.yaml_reader import NodeReader, YamlFileError, YamlIssue, child
from faircollect.domain.lender import LenderProfile

LENDER_VARIABLE = "FAIRCOLLECT_LENDER"
_KEYS = (
    "name",
    "short_name",
    "address",
    "complaint_line",
    "credit_reporting",
    "law_firm",
    "agency_visits_allowed",
    "illegal_apr",
    "seal",
)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
"""What a seal image file starts with: PNG or JPEG (what fpdf2 embeds without Pillow's
help for every variant)."""


def example_lender_path() -> Path:
    return Path(str(resources.files("faircollect").joinpath("data/lender/example.yaml")))


def read_lender(text: str, source: str, folder: Path | None = None) -> LenderProfile:
    """The lender configuration in ``text``; a relative ``seal`` path is read from
    ``folder`` (the configuration file's folder; the working directory when None)."""
    reader = NodeReader(source)
    root = reader.compose(text)
    profile = _profile(reader, root, folder or Path()) if root is not None else None
    reader.raise_if_any()
    assert profile is not None
    return profile


def _profile(r: NodeReader, root: Node, folder: Path) -> LenderProfile | None:
    f = r.mapping(root, "", allowed=_KEYS, required=("name", "short_name"))
    if f is None:
        return None
    texts = {
        key: r.string(f[key], key) if key in f else None
        for key in ("name", "short_name", "address", "complaint_line", "law_firm")
    }
    reporting = _reporting(r, f.get("credit_reporting"))
    visits = (
        r.boolean(f["agency_visits_allowed"], "agency_visits_allowed")
        if ("agency_visits_allowed" in f)
        else False
    )
    apr = r.decimal(f["illegal_apr"], "illegal_apr") if "illegal_apr" in f else None
    seal = _seal(r, f["seal"], folder) if "seal" in f else ""
    if None in (seal, reporting, visits, texts["name"], texts["short_name"]):
        return None
    assert reporting is not None and seal is not None and visits is not None
    default, products = reporting
    base = LenderProfile()
    return LenderProfile(
        name=texts["name"] or base.name,
        short_name=texts["short_name"] or base.short_name,
        address=texts["address"] or "",
        complaint_line=texts["complaint_line"] or base.complaint_line,
        reports_by_default=default,
        reports_by_product=products,
        law_firm=texts["law_firm"] or "",
        agency_visits_allowed=visits,
        illegal_apr=apr if apr is not None else base.illegal_apr,
        seal=seal,
    )


def _seal(r: NodeReader, node: Node, folder: Path) -> str | None:
    """The seal image's absolute path: a PNG or JPEG file that exists (relative to the
    configuration's folder); an issue at the line otherwise, so a letter never goes out
    without the seal the lender configured."""
    name = r.string(node, "seal")
    if name is None:
        return None
    path = (folder / name).resolve()
    try:
        with path.open("rb") as image:
            start = image.read(8)
    except OSError as err:
        r.error(node, "seal", f"cannot read the seal image {name[:200]}: {err.strerror or err}")
        return None
    if not start.startswith(_IMAGE_MAGIC):
        r.error(node, "seal", f"{name[:200]} is not a PNG or JPEG image")
        return None
    return str(path)


def _reporting(r: NodeReader, node: Node | None) -> tuple[bool, dict[str, bool]] | None:
    if node is None:
        return True, {}
    f = r.mapping(node, "credit_reporting", allowed=("default", "products"))
    if f is None:
        return None
    default = r.boolean(f["default"], "credit_reporting.default") if "default" in f else True
    products: dict[str, bool] = {}
    node = f.get("products")
    if node is not None and not isinstance(node, MappingNode):
        r.error(node, "credit_reporting.products", "expected a mapping of product: true/false")
        return None
    for key_node, value in node.value if node is not None else ():
        # Product names are the lender's own: any key, each one true or false.
        flag = r.boolean(value, child("credit_reporting.products", str(key_node.value)))
        if flag is not None:
            products[str(key_node.value)] = flag
    return None if default is None else (default, products)


@lru_cache(maxsize=4)
def _load(path: str) -> LenderProfile:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise YamlFileError([YamlIssue(file.name, 1, "", f"cannot read: {err}")]) from err
    return read_lender(text, file.name, file.parent)


def lender_profile() -> LenderProfile:
    """The configured lender (``FAIRCOLLECT_LENDER``, else the shipped example)."""
    return _load(os.environ.get(LENDER_VARIABLE) or str(example_lender_path()))
