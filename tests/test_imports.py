"""Imports point one way (the contracts in pyproject.toml, run by import-linter): no source folder imports another
except through defs/shared, defs/shared imports no source folder, and the product never imports the sandbox."""

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def test_the_import_contracts_are_kept() -> None:
    checked = subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--config", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Source folders import one another only through defs/shared KEPT" in checked.stdout
    assert "The product does not import the sandbox twins KEPT" in checked.stdout
    assert "Contracts: 2 kept, 0 broken." in checked.stdout
