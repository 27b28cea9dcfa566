"""Shell completion as docs/operating.md enables it: the installed ``hr-assets`` answers click's completion protocol
for bash, zsh and fish (commands, subcommands, option choices), and the bash script it prints completes in bash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.commands

BIN = Path(sys.executable).parent


def complete(tmp_path: Path, shell: str, words: str, cword: str) -> list[str]:
    environment = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "COMP_WORDS": words,
        "COMP_CWORD": cword,
        "_HR_ASSETS_COMPLETE": f"{shell}_complete",
    }
    completed = subprocess.run(
        [str(BIN / "hr-assets")], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    return completed.stdout.splitlines()


def test_the_command_completes_its_subcommands_and_choices(tmp_path: Path) -> None:
    assert complete(tmp_path, "bash", "hr-assets pay", "1") == ["plain,paycom", "plain,payroll"]
    assert complete(tmp_path, "bash", "hr-assets payroll m", "2") == ["plain,month"]
    assert complete(tmp_path, "bash", "hr-assets errors list --source h", "4") == ["plain,holded"]
    assert complete(tmp_path, "zsh", "hr-assets payroll", "1") == ["plain", "payroll", "Pay periods and payroll runs."]
    [token] = complete(tmp_path, "fish", "hr-assets api tok", "tok")
    assert token.startswith("plain,token\tThe API's tokens")


def test_the_bash_script_it_prints_completes_in_bash(tmp_path: Path) -> None:
    script = (
        'eval "$(_HR_ASSETS_COMPLETE=bash_source hr-assets)"\n'
        "complete -p hr-assets\n"
        "COMP_WORDS=(hr-assets companies l); COMP_CWORD=2\n"
        "_hr_assets_completion hr-assets\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    completed = subprocess.run(
        ["bash", "--norc", "-c", script],
        env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout.splitlines() == ["complete -o nosort -F _hr_assets_completion hr-assets", "list"]
