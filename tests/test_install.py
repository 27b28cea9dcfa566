"""The product installs as users install it: its wheel, installed with the locked dependencies in a fresh virtualenv
outside the checkout (nothing importable from it), loads every definition, passes `dg check defs`, and ships no
sandbox module."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.commands

# What dg needs to check a project: its root module, found in the folder the project file is in.
DG_PROJECT = """directory_type = "project"

[project]
root_module = "hr_assets"
"""

PROBE = """
import importlib.util, dagster as dg, hr_assets
from hr_assets.definitions import defs
definitions = defs()
dg.Definitions.validate_loadable(definitions)
print(hr_assets.__file__)
print(importlib.util.find_spec("hr_sandbox"))
print(len(definitions.resolve_asset_graph().get_all_asset_keys()))
"""


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, f"{' '.join(command)}:\n{completed.stdout}{completed.stderr}"
    return completed.stdout


def test_the_wheel_in_a_fresh_virtualenv_loads_every_definition_and_ships_no_sandbox(tmp_path: Path) -> None:
    wheels, venv, home = tmp_path / "wheels", tmp_path / "venv", tmp_path / "dagster_home"
    home.mkdir()
    # The wheel, built by the pinned backend pyproject.toml names (in an isolated build environment), from a copy of
    # the project's sources, so that the build writes nothing into the checkout.
    source = tmp_path / "source"
    shutil.copytree(REPO / "hr_assets", source / "hr_assets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", source)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels)]
    _run([*pip_wheel, str(source)], tmp_path)
    (wheel,) = wheels.glob("hr_assets-*.whl")
    shipped = zipfile.ZipFile(wheel).namelist()
    assert all(name.startswith(("hr_assets/", "hr_assets-")) for name in shipped), "only the product is shipped"
    assert not [name for name in shipped if "sandbox" in name]
    assert "hr_assets/warehouse/migrations/versions/0001_paycom_roster.py" in shipped

    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile"]
    _run([*pip, "--requirement", str(REPO / "requirements.lock")], tmp_path)
    _run([*pip, "--no-deps", str(wheel)], tmp_path)

    # Outside the checkout, with nothing of ours in the environment but the instance folder.
    environment = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "DAGSTER_HOME": str(home)}
    module_file, sandbox, assets = _run([str(venv / "bin" / "python"), "-c", PROBE], tmp_path, environment).split()
    site_packages = Path(
        _run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path
        ).strip()
    )
    assert Path(module_file).is_relative_to(site_packages), module_file
    assert (sandbox, int(assets)) == ("None", 12)

    # dg checks a project folder: for an installed package, the folder the package is installed in.
    (site_packages / "dg.toml").write_text(DG_PROJECT)
    checked = _run(
        [str(venv / "bin" / "dg"), "check", "defs", "--target-path", str(site_packages)], tmp_path, environment
    )
    assert "All definitions loaded successfully." in checked
    version = _run([str(venv / "bin" / "hr-assets"), "--version"], tmp_path, environment)
    assert version == "hr-assets, version 0.1.0\n"
