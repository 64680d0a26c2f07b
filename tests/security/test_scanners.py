"""``bandit`` finds nothing in ``src`` and ``pip-audit`` no known vulnerability in the
installed environment, as part of ``make test``.

bandit reads its skips from ``[tool.bandit]`` in pyproject.toml (each with its reason);
single findings judged harmless carry ``# nosec <test>`` on their line, listed with their
reasons there too. pip-audit asks PyPI's per-release JSON API about every installed
distribution; where that API cannot be reached (no network, or a mirror without it) the
audit is skipped saying so, rather than passing an audit that checked nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return str(found)


def test_bandit_finds_nothing_in_src() -> None:
    ran = subprocess.run(
        [tool("bandit"), "-c", "pyproject.toml", "-r", "src", "-q", "-f", "txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]


def pypi_release_api() -> str | None:
    """Why pip-audit cannot ask PyPI about a release from here, or None when it can."""
    url = f"https://pypi.org/pypi/pip/{version('pip')}/json"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # nosec B310 (fixed https URL)
            return None if answer.status == 200 else f"{url} answered {answer.status}"
    except urllib.error.HTTPError as refused:
        return f"{url} answered {refused.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as unreachable:
        return f"{url} is unreachable ({unreachable})"


def test_pip_audit_finds_no_known_vulnerability() -> None:
    pip_audit = tool("pip-audit")
    why_not = pypi_release_api()
    if why_not is not None:
        pytest.skip(f"pip-audit needs PyPI's per-release JSON API: {why_not}")
    ran = subprocess.run(
        [pip_audit, "--skip-editable", "--strict", "--progress-spinner", "off"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-3000:]
