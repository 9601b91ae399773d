"""The inner loop (`make test-pure`) keeps to fast tests: a `pure` test using a slow
fixture is refused at collection, by name."""

from __future__ import annotations

import pytest
from conftest import slow_fixtures_of_pure_tests

pytestmark = pytest.mark.pure


class FakeItem:
    def __init__(self, nodeid: str, fixtures: tuple[str, ...], marks: tuple[str, ...]) -> None:
        self.nodeid, self.fixturenames, self._marks = nodeid, fixtures, marks

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self._marks else None


def test_a_pure_test_on_the_demo_store_is_named() -> None:
    items = [
        FakeItem("tests/test_a.py::test_ok", ("tmp_path", "store"), ("pure",)),
        FakeItem("tests/test_a.py::test_slow", ("tmp_path", "demo_db"), ("pure",)),
        FakeItem("tests/test_b.py::test_app", ("app_for",), ()),
    ]
    assert slow_fixtures_of_pure_tests(items) == ["tests/test_a.py::test_slow: demo_db"]


def test_a_pure_browser_test_is_named() -> None:
    items = [FakeItem("tests/test_c.py::test_page", (), ("pure", "browser"))]
    assert slow_fixtures_of_pure_tests(items) == ["tests/test_c.py::test_page: browser"]


def test_this_suite_has_no_misplaced_pure_test(request: pytest.FixtureRequest) -> None:
    assert slow_fixtures_of_pure_tests(request.session.items) == []
