"""Render message templates (Jinja2) in a sandbox where a missing variable is an error.

The sandbox keeps a lender-edited template from reaching into Python; ``StrictUndefined``
turns a typo such as ``{{ amout }}`` into an error instead of a message with a hole in it,
which matters when the text is a legal notice. Output is plain text (no HTML escaping).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

SUFFIX = ".j2"


class TemplateRenderError(ValueError):
    """A template that is missing, malformed, or needs a value the context lacks."""


def default_template_dir() -> Path:
    return Path(str(resources.files("faircollect").joinpath("data/templates")))


class TemplateRenderer:
    """Renders ``NAME.j2`` files from one directory (the shipped templates by default)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_template_dir()
        self._env = SandboxedEnvironment(
            loader=FileSystemLoader(self.directory, encoding="utf-8"),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            # A night renders the same few templates 100,000 times: without this, every
            # render stats the file to see whether it changed. A renderer loads each
            # template once; a new renderer sees edited files.
            auto_reload=False,
        )

    def available(self) -> frozenset[str]:
        """Template names (file names without ``.j2``), for validating strategies."""
        return frozenset(p.name[: -len(SUFFIX)] for p in self.directory.glob(f"*{SUFFIX}"))

    def render(self, name: str, context: Mapping[str, str]) -> str:
        """The rendered text; raises ``TemplateRenderError`` naming the template and problem."""
        try:
            template = self._env.get_template(name + SUFFIX)
            return template.render(**context).strip()
        except TemplateNotFound as err:
            raise TemplateRenderError(f"unknown template '{name}'") from err
        except TemplateError as err:
            raise TemplateRenderError(f"template '{name}': {err}") from err
