"""An analyst uploads files through the browser and the panel's page shows the new figures."""

from __future__ import annotations

import shutil

import pytest
from conftest import ARTIFACTS, running_app
from fixtures import quarterly as q
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def own_server(demo_db, tmp_path):
    """A server on a private store: this test changes the data."""
    database = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, database)
    with running_app(database) as url:
        yield url


def test_uploading_a_local_indicator_and_its_return_fills_line_of_enquiry_2(
    own_server, page, tmp_path
):
    definitions = tmp_path / "local_indicators.csv"
    definitions.write_text(q.local_definitions(), encoding="utf-8")
    values = tmp_path / "quarterly_return_Q1.csv"
    values.write_text(
        q.quarterly_return(
            q.row("members_trained_pct", "64", numerator="32", denominator="50"),
            q.row("members_trained_pct", "70", quarter="Q2", numerator="35", denominator="50"),
        ),
        encoding="utf-8",
    )
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(f"{own_server}/data?council=172")
    expect(page.get_by_text("Single-user local mode").first).to_be_visible(timeout=30_000)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [str(definitions), str(values)]
    )
    commit = page.get_by_role("button", name="Commit this load")
    expect(commit).to_be_visible(timeout=60_000)
    expect(page.get_by_text("new figures").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_before_commit.png"), full_page=True)
    commit.click()
    expect(page.get_by_text("committed").first).to_be_visible(timeout=60_000)

    page.goto(f"{own_server}/duties?council=172")
    expect(page.get_by_text("The council's own quarterly figures")).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(
        timeout=30_000
    )
    expect(page.locator(".main-svg").get_by_text("Councillors trained, by quarter")).to_be_visible()
    expect(page.locator(".main-svg").get_by_text("70%").first).to_be_attached()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "duties_after_upload.png"))


def test_uploading_the_fake_ssda903_extract_reports_its_problems_and_gives_figures(
    own_server, page, reference_data
):
    """The peer's fake extract (with deliberate errors) goes through the Data page."""
    files = sorted(str(p) for p in (reference_data / "ssda903_fake").glob("*.csv"))
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(f"{own_server}/data?council=172")
    expect(page.get_by_text("Single-user local mode").first).to_be_visible(timeout=30_000)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files)
    commit = page.get_by_role("button", name="Commit this load")
    expect(commit).to_be_visible(timeout=90_000)
    expect(page.get_by_text("The extract has").first).to_be_visible()
    expect(page.get_by_text("SSDA903 extract for council 172 as at 01/04/2018")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_extract_before_commit.png"), full_page=True)
    commit.click()
    expect(page.get_by_text("committed").first).to_be_visible(timeout=90_000)
    page.get_by_role("tab", name="Child-level extracts").click()
    expect(page.get_by_text("Wyrebrook: figures at each quarter end")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "data_extract_after_commit.png"), full_page=True)
