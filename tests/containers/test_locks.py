"""The two lock files stay true: requirements.lock pins exactly what the product needs (all the image installs),
requirements-test.lock the test tools on top of it, every pin exact and in one file only."""

from __future__ import annotations

from importlib.metadata import distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


def locked(name: str) -> dict[str, str]:
    """A lock file's pins, by canonical name; a pin that is not exact fails."""
    found = {}
    for line in (REPO / name).read_text().splitlines():
        if line.startswith(("#", "-r ")) or not line.strip():
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        assert canonicalize_name(requirement.name) not in found, f"{requirement.name} is pinned twice in {name}"
        found[canonicalize_name(requirement.name)] = specifier.version
    return found


def needed(project: str, extra: str | None = None) -> set[str]:
    """Every distribution ``project`` (with ``extra``) needs, by its installed metadata, itself excluded."""
    wanted: list[tuple[str, frozenset[str]]] = [(project, frozenset({extra} if extra else set()))]
    seen: dict[str, frozenset[str]] = {}
    while wanted:
        name, extras = wanted.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key]:
            continue
        seen[key] = seen.get(key, frozenset()) | extras
        for text in distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or any(
                requirement.marker.evaluate({"extra": wanted_extra}) for wanted_extra in ("", *extras)
            ):
                wanted.append((requirement.name, frozenset(requirement.extras)))
    return set(seen) - {canonicalize_name(project)}


def test_the_product_lock_pins_exactly_what_the_product_needs() -> None:
    assert set(locked("requirements.lock")) == needed("hr_assets")


def test_the_test_lock_adds_the_test_tools_and_nothing_the_product_lock_pins() -> None:
    """The test tools and what the sandbox twins (hr_sandbox, installed beside the product) need."""
    product, tools = locked("requirements.lock"), locked("requirements-test.lock")
    assert (REPO / "requirements-test.lock").read_text().count("-r requirements.lock\n") == 1
    assert set(product) & set(tools) == set()
    assert set(tools) == (needed("hr_assets", "test") | needed("hr_sandbox")) - set(product) - {"hr-assets"}
