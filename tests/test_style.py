"""The code keeps one style and passes the linters, security rules included (see pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUFF = str(Path(sys.executable).with_name("ruff"))


def test_ruff_finds_nothing() -> None:
    completed = subprocess.run([RUFF, "check", "--no-cache", "."], cwd=REPO, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout


def test_the_code_is_formatted() -> None:
    completed = subprocess.run([RUFF, "format", "--check", "--no-cache", "."], cwd=REPO, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout
