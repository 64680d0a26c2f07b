"""/api/docs: the JSON API described from the app's own OpenAPI document, server-rendered
(FastAPI's Swagger UI is off: it loads its script from a CDN, and our CSP allows none).

For each endpoint: method, path, summary, parameters, the request body's fields and the
responses. Readable without signing in; it describes the API, it shows no data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.web.pages.render import page

router = APIRouter()

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    where: str
    kind: str
    required: bool
    about: str = ""


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field]
    body: list[Field]
    body_name: str
    responses: list[tuple[str, str, str]]
    """(status, description, schema name)."""


@dataclass(frozen=True, slots=True)
class Group:
    tag: str
    endpoints: list[Endpoint] = field(default_factory=list)


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else ""


def _kind(schema: dict[str, Any]) -> str:
    """A schema's type in a few characters: ``string``, ``integer``, ``Reassign``,
    ``array of CaseItem``, ``string | null``..."""
    if "$ref" in schema:
        return _ref_name(schema)
    if "anyOf" in schema:
        return " | ".join(_kind(s) for s in schema["anyOf"])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"array of {_kind(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def _schema(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    name = _ref_name(schema)
    found: dict[str, Any] = doc.get("components", {}).get("schemas", {}).get(name, schema)
    return found


def _body(doc: dict[str, Any], operation: dict[str, Any]) -> tuple[str, list[Field]]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        given = media.get("schema", {})
        schema = _schema(doc, given)
        required = set(schema.get("required", ()))
        props = schema.get("properties", {})
        if not props:
            return _kind(given), []
        return _ref_name(given) or "body", [
            Field(name, "body", _kind(s), name in required, s.get("description", ""))
            for name, s in props.items()
        ]
    return "", []


def _responses(operation: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for status, answer in sorted(operation.get("responses", {}).items()):
        schema = next(iter(answer.get("content", {}).values()), {}).get("schema", {})
        out.append((status, answer.get("description", ""), _kind(schema) if schema else ""))
    return out


def endpoints(doc: dict[str, Any]) -> list[Group]:
    """The document's operations grouped by their first tag, in path order."""
    groups: dict[str, Group] = {}
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["other"])[0]
            body_name, body = _body(doc, operation)
            description = operation.get("description", "")
            groups.setdefault(tag, Group(tag)).endpoints.append(
                Endpoint(
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    description,
                    [
                        Field(
                            p["name"],
                            p.get("in", ""),
                            _kind(p.get("schema", {})),
                            bool(p.get("required")),
                            p.get("description", ""),
                        )
                        for p in operation.get("parameters", [])
                    ],
                    body,
                    body_name,
                    _responses(operation),
                )
            )
    return list(groups.values())


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    doc = request.app.openapi()
    return page(
        request,
        "apidocs.html",
        groups=endpoints(doc),
        title=doc.get("info", {}).get("title", ""),
        version=doc.get("info", {}).get("version", ""),
        spec_url=request.app.openapi_url,
        description=doc.get("info", {}).get("description", ""),
    )
