"""The docs cannot rot silently: every relative link in README.md and docs/*.md points at a file or folder that
exists, and at a heading that exists when it names one; a table the code defines is copied exactly."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from pydantic import Field

from hr_assets.cli import EXIT_BUG, EXIT_PERSON, EXIT_USAGE
from hr_assets.config_reference import REGENERATE, Undescribed, reference, rewritten
from hr_assets.defs.attendance.csv_file import alias_table_markdown
from hr_assets.lib.integration import IntegrationResource, required

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (``-`` and ``_`` kept), spaces as ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in _prose_lines(page.read_text(encoding="utf-8")):
        if match := _HEADING.match(line):
            slug = base = _slug(match.group(2))
            count = 0
            while slug in found:  # a repeated heading's anchor takes -1, -2, ...
                count += 1
                slug = f"{base}-{count}"
            found.add(slug)
    return found


def relative_links(page: Path) -> list[str]:
    """The targets of the page's links that are not URLs; a link's text or a code span may run over lines."""
    prose = _INLINE_CODE.sub("", "\n".join(_prose_lines(page.read_text(encoding="utf-8"))))
    targets = [match.group(1) for match in _LINK.finditer(prose)]
    return [target for target in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)]


def test_the_pages_exist_and_link_somewhere() -> None:
    assert (REPO / "docs").is_dir()
    assert len(PAGES) > 1
    assert all(relative_links(page) for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_points_at_a_file_and_heading_that_exist(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        path = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif REPO not in path.parents and path != REPO:
            broken.append(f"{target}: outside the repository")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no heading #{anchor} in {path.relative_to(REPO)}")
    assert not broken, f"{page.relative_to(REPO)}: " + "; ".join(broken)


def test_the_slugs_are_githubs() -> None:
    assert _slug("The `hr-assets` command") == "the-hr-assets-command"
    assert _slug("One machine, PostgreSQL") == "one-machine-postgresql"
    assert _slug("`paycom_roster_files`") == "paycom_roster_files"
    assert _slug("Vendor APIs: pacing and retries") == "vendor-apis-pacing-and-retries"


def test_a_broken_link_and_a_missing_heading_are_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n[ok](#title) [gone](missing.md) `[not a\nlink](nowhere.md)` [over\ntwo lines](two.md)"
        " [web](https://example.org)\n```\n[x](y.md)\n```\n"
    )
    assert relative_links(page) == ["#title", "missing.md", "two.md"]
    assert anchors(page) == {"title"}


def test_the_attendance_header_table_is_the_codes() -> None:
    assert alias_table_markdown() in (REPO / "docs" / "attendance-and-bayzat.md").read_text(encoding="utf-8")


def test_the_configuration_reference_is_the_settings_models() -> None:
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert page == rewritten(page), f"docs/configuration.md differs from the settings models: run `{REGENERATE}`"
    assert "| `HOLDED_API_KEY` | text (secret) | (required) | The API key. |" in page
    assert "| `HR_REVENUE_MONTHLY_DAY` | integer 1–28 | `1` |" in page


def test_a_setting_the_reference_cannot_describe_stops_it() -> None:
    class Kiosk(IntegrationResource):
        """A kiosk's settings."""

        integration = "The kiosk"
        env_prefix = "KIOSK_"
        token: str | None = required("Its token.", secret=True)
        pages: int = Field(3, ge=1, le=9, description="Pages | screens.")

    assert reference([Kiosk]).split("## Kiosk\n\n")[1].splitlines()[:4] == [
        "`Kiosk`: A kiosk's settings.",
        "",
        "| Name | Type | Default | What for |",
        "| --- | --- | --- | --- |",
    ]
    rows = reference([Kiosk]).splitlines()
    assert "| `KIOSK_TOKEN` | text (secret) | (required) | Its token. |" in rows
    assert "| `KIOSK_PAGES` | integer 1–9 | `3` | Pages \\| screens. |" in rows

    class Silent(Kiosk):
        """A kiosk that says less."""

        speed: float = 2.0

    with pytest.raises(Undescribed, match="Silent.speed has no description"):
        reference([Silent])


def test_the_exit_codes_are_documented_as_the_command_defines_them() -> None:
    page = (REPO / "docs" / "operating.md").read_text(encoding="utf-8")
    for code, meaning in (
        (0, "done"),
        (EXIT_PERSON, "a person's error"),
        (EXIT_USAGE, "a usage error"),
        (EXIT_BUG, "a bug"),
    ):
        assert f"| {code} | {meaning}" in page, code
