"""A plain Debian bookworm base image made here, with no registry: ``debootstrap`` then ``docker import``.

The root file system is kept as a tarball in a cache outside the repository, named after its recipe (suite, variant,
mirror), so a second run on the same machine imports it in seconds; a missing or partial tarball is made again from
nothing. Two sessions making the same one at once take turns (a lock file beside it).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.containers.docker_daemon import DockerDaemon

DEBOOTSTRAP = Path("/usr/sbin/debootstrap")
RECIPE = ("bookworm", "minbase", "http://deb.debian.org/debian")
# What `docker import` leaves out of an image's configuration and a Dockerfile's RUN expects.
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def cache_directory() -> Path:
    """HR_TEST_CACHE_DIR, else ~/.cache/hr_assets-tests: kept between runs, outside the repository."""
    configured = os.environ.get("HR_TEST_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "hr_assets-tests"


def recipe_key() -> str:
    return hashlib.sha256(" ".join(RECIPE).encode()).hexdigest()[:12]


def root_filesystem(cache: Path) -> Path:
    """The bookworm tarball of the recipe, from the cache or made now."""
    if not DEBOOTSTRAP.exists():
        pytest.fail(f"{DEBOOTSTRAP} is missing: make test installs it (apt-get install debootstrap)")
    suite, variant, mirror = RECIPE
    tarball = cache / f"debian-{suite}-{variant}-{recipe_key()}.tar"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / f"{tarball.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if tarball.exists():
            return tarball
        tree = cache / f"{tarball.name}.rootfs"
        shutil.rmtree(tree, ignore_errors=True)
        made = subprocess.run(
            [str(DEBOOTSTRAP), f"--variant={variant}", suite, str(tree), mirror],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if made.returncode != 0:
            shutil.rmtree(tree, ignore_errors=True)
            pytest.fail(f"debootstrap {suite} failed: {made.stdout[-2000:]}{made.stderr[-2000:]}")
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):  # downloaded packages and indexes
            for path in (tree / leftover).glob("*"):
                if path.is_file():
                    path.unlink()
        partial = tarball.with_suffix(".tar.partial")
        subprocess.run(["tar", "--numeric-owner", "-C", str(tree), "-cf", str(partial), "."], check=True)
        partial.replace(tarball)
        shutil.rmtree(tree)
    return tarball


def import_base(docker: DockerDaemon, tarball: Path) -> str:
    """The tarball as an image in the daemon; its tag."""
    tag = f"hr-assets-base:bookworm-{recipe_key()}"
    docker("import", f"--change=ENV PATH={PATH}", str(tarball), tag)
    return tag
