"""The player's blocks in a real browser: the layout holds at phone, tablet and desktop
widths, tabs follow the WAI-ARIA keyboard pattern (frontend/player.js), the accordion
opens one panel at a time, and Enter in a question does not reload the page.

The page is rendered by authoring.rendering and opened from a file with player.css and
player.js (bundled here with esbuild), so no server or app bundle is needed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from authoring.rendering import AssetInfo, render_page
from tests.authoring.test_blocks import ASSET_TYPES, EXAMPLES, IMAGE, uid

pytestmark = pytest.mark.browser

ESBUILD = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "esbuild"


@pytest.fixture
def player_file(tmp_path: Path) -> str:
    if not ESBUILD.exists():
        pytest.skip("esbuild is not installed (npm ci)")
    entry = tmp_path / "entry.js"
    entry.write_text(
        f'import {{ initPlayer }} from "{Path(settings.BASE_DIR) / "frontend" / "player.js"}";\n'
        "initPlayer(document);\n"
    )
    subprocess.run(
        [str(ESBUILD), str(entry), "--bundle", f"--outfile={tmp_path / 'player.js'}"],
        check=True,
        capture_output=True,
    )
    shutil.copy(Path(settings.BASE_DIR) / "static" / "css" / "player.css", tmp_path)
    assets = {
        asset_id: AssetInfo(f"missing-{asset_id}", content_type, None, None, "file")
        for asset_id, content_type in ASSET_TYPES.items()
    }
    Image.new("RGB", (400, 300), (200, 210, 230)).save(tmp_path / "image.png")
    assets[IMAGE] = AssetInfo("image.png", "image/png", 400, 300, "image.png")
    page = {
        "id": uid("browser-page"),
        "title": "Every block",
        "kind": "quiz",
        "settings": {"passing_score": 80, "attempts": 0, "random_order": False},
        "blocks": [
            {"id": uid(f"browser-{t}"), "type": t, "version": 1, "data": data}
            for t, data in EXAMPLES.items()
        ],
    }
    html = render_page(page, assets=assets, language="en")
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="player.css"><script src="player.js" defer></script>'
        f"</head><body><main>{html}</main></body></html>",
        encoding="utf-8",
    )
    return (tmp_path / "index.html").as_uri()


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_every_block_fits_the_width_without_sideways_scrolling(browser, player_file, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(player_file)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []
    page.close()


def test_tabs_follow_the_aria_pattern_with_the_keyboard(browser, player_file):
    page = browser.new_page()
    page.goto(player_file)
    tabs = page.locator('[role="tablist"] [role="tab"]')
    panels = page.locator('[role="tabpanel"]')
    assert tabs.count() == 2
    assert [tabs.nth(i).get_attribute("aria-selected") for i in range(2)] == ["true", "false"]
    assert [panels.nth(i).is_visible() for i in range(2)] == [True, False]
    assert panels.nth(0).get_attribute("aria-labelledby") == tabs.nth(0).get_attribute("id")

    tabs.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Second"
    assert [panels.nth(i).is_visible() for i in range(2)] == [False, True]
    assert [tabs.nth(i).get_attribute("tabindex") for i in range(2)] == ["-1", "0"]
    page.keyboard.press("ArrowRight")  # wraps round
    assert page.evaluate("document.activeElement.textContent") == "First"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.textContent") == "Second"
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.textContent") == "First"
    page.close()


def test_accordion_opens_one_panel_at_a_time(browser, player_file):
    page = browser.new_page()
    page.goto(player_file)
    titles = page.locator(".player-accordion summary")
    titles.nth(0).click()
    titles.nth(1).click()
    opened = page.evaluate(
        "[...document.querySelectorAll('.player-accordion details')].map(d => d.open)"
    )
    assert opened == [False, True]
    page.close()


def test_enter_in_a_question_does_not_leave_the_page(browser, player_file):
    page = browser.new_page()
    page.goto(player_file)
    page.evaluate("window.marker = 1")
    gap = page.locator(".player-gap").first
    gap.fill("Paris")
    gap.press("Enter")
    page.wait_for_timeout(200)
    assert page.evaluate("window.marker") == 1  # same document: nothing navigated
    assert gap.input_value() == "Paris"
    page.close()


def test_hotspot_point_is_chosen_by_click_and_by_arrow_keys(browser, player_file):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(player_file)
    image = page.locator("[data-hotspot-image]")
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('[data-hotspot-image]').complete")
    box = image.bounding_box()
    assert box is not None
    image.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    x = float(page.locator("[data-hotspot-x]").input_value())
    y = float(page.locator("[data-hotspot-y]").input_value())
    assert abs(x - 0.25) < 0.01
    assert abs(y - 0.5) < 0.01
    assert page.locator("[data-hotspot-marker]").is_visible()
    assert "25% across and 50% down" in page.locator("[data-hotspot-status]").text_content()

    image.focus()
    page.keyboard.press("Shift+ArrowRight")
    assert abs(float(page.locator("[data-hotspot-x]").input_value()) - 0.35) < 0.01
    page.keyboard.press("ArrowUp")
    assert abs(float(page.locator("[data-hotspot-y]").input_value()) - 0.48) < 0.01
    for _ in range(20):
        page.keyboard.press("Shift+ArrowLeft")
    assert float(page.locator("[data-hotspot-x]").input_value()) == 0  # stays on the image
    page.close()
