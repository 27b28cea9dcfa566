"""The image as the Dockerfile makes it: the product's pins and the product, run by a user of its own, loading every
definition with no vendor configured, the code server its default command, and nothing of the build machine's."""

from __future__ import annotations

import hashlib
import json

import pytest
from packaging.utils import canonicalize_name

from tests.conftest import REPO
from tests.containers.conftest import CA_BUNDLE, IMAGE_UID
from tests.containers.docker_daemon import DockerDaemon

pytestmark = [pytest.mark.containers, pytest.mark.xdist_group("containers")]


def run(docker: DockerDaemon, image: str, *command: str) -> str:
    """The command's output in a throwaway container of the image, without a network or any of our settings."""
    return docker("run", "--rm", "--network=none", image, *command).stdout


def pins(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        if "==" in line and not line.startswith("#"):
            name, version = line.strip().split("==")
            found[canonicalize_name(name)] = version
    return found


def test_the_image_holds_the_products_pins_and_the_product_and_no_test_tool(docker: DockerDaemon, image: str) -> None:
    frozen = run(docker, image, "pip", "freeze", "--all").splitlines()
    installed = pins(frozen)
    installed.pop("pip")  # the installer the virtualenv comes with
    assert installed == pins((REPO / "requirements.lock").read_text().splitlines())
    assert [line.split(" @ ")[0] for line in frozen if "==" not in line] == ["hr_assets"]  # from its wheel, not -e
    absent = "import importlib.util as u; print([u.find_spec(name) for name in ('tests', 'hr_sandbox')])"
    assert run(docker, image, "python", "-c", absent).strip() == "[None, None]"
    product = run(docker, image, "hr-assets", "--help")
    assert "paycom" in product


def test_the_image_runs_as_its_own_user_with_a_writable_dagster_home(docker: DockerDaemon, image: str) -> None:
    user = run(docker, image, "sh", "-c", 'id -u && touch "$DAGSTER_HOME/probe" && echo "$DAGSTER_HOME"')
    assert user.split() == [str(IMAGE_UID), "/opt/dagster/home"]


def test_the_image_loads_every_definition_with_no_vendor_configured(docker: DockerDaemon, image: str) -> None:
    loaded = run(
        docker, image, "python", "-c",
        "from hr_assets.definitions import defs; print(len(defs().resolve_all_asset_keys()))",
    )  # fmt: skip
    assert int(loaded) >= 10


def test_the_code_server_listens_on_every_interface_by_default(docker: DockerDaemon, image: str) -> None:
    (configuration,) = json.loads(docker("image", "inspect", image).stdout)
    command = configuration["Config"]["Cmd"]
    assert command[:3] == ["dagster", "api", "grpc"]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104 - the point: reachable from other hosts
    assert command[command.index("--port") + 1] == "4000"


def test_the_build_machines_ca_bundle_is_nowhere_in_the_image(docker: DockerDaemon, image: str) -> None:
    """The build had the machine's CA bundle as a secret (pip behind a TLS-inspecting proxy): no file is a copy."""
    assert CA_BUNDLE.exists()
    digest = hashlib.sha256(CA_BUNDLE.read_bytes()).hexdigest()
    same_size = f"find / -xdev -type f -size {CA_BUNDLE.stat().st_size}c -exec sha256sum {{}} + 2>/dev/null || true"
    copies = [line for line in run(docker, image, "sh", "-c", same_size).splitlines() if line.startswith(digest)]
    assert copies == []
