"""The SSDA903 counting rules (a)-(e) of docs/METHODOLOGY.md, one hand-built case each.

Each test loads a tiny extract: the children of the case, plus child K, who left care
in June 2023 and so makes the extract complete from 1 April 2023 (quarter ends from
31 March 2024). The expected numbers are counted by hand from the episodes written
in the test, and the comments say which child counts and why.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from indicators.child_level import _raw_figures, extract_quarters
from loaders.load import ExtractOptions
from tests.conftest import load_texts
from tests.fixtures.ssda903 import EPISODE_COLUMNS

pytestmark = pytest.mark.pure

AS_AT = date(2025, 3, 31)
# Left care in June 2023: the extract is complete from 1 April 2023.
COVERAGE_CHILD = ("K", "01/05/2010", ["K,01/01/2023,S,C2,N1,K1,PR4,30/06/2023,E11,,,,SC17"])


def raw_figures(store, children: list[tuple[str, str, list[str]]]) -> pd.DataFrame:
    """Load the children (id, date of birth, episode rows) and return every raw figure."""
    everyone = [*children, COVERAGE_CHILD]
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n" + "".join(
        f"{child},1,{dob},WBRI,,,\n" for child, dob, _ in everyone
    )
    episodes = [row for _, _, rows in everyone for row in rows]
    files = {
        "header.csv": header,
        "episodes.csv": "\n".join([EPISODE_COLUMNS, *episodes]) + "\n",
    }
    report = load_texts(store, files, extract=ExtractOptions("825", AS_AT))
    assert report.status == "committed", [p.describe() for p in report.problems]
    return _raw_figures(store, extract_quarters(store, "825"))


def counted(raw: pd.DataFrame, indicator: str, when: date = AS_AT) -> tuple[int, int]:
    """(numerator, denominator) of an indicator at a quarter end."""
    row = raw[(raw["indicator_id"] == indicator) & (raw["quarter_end"] == when)]
    assert len(row) == 1, f"{indicator} at {when}: {len(row)} rows"
    return int(row["numerator"].iloc[0]), int(row["denominator"].iloc[0])


def test_a_change_of_placement_with_the_same_carer_is_a_placement_for_three_or_more(store):
    raw = raw_figures(
        store,
        [
            # A1: a short-term foster placement becomes long-term with the same carer (T),
            # then a move to a children's home: three placements in the year.
            (
                "A1",
                "01/05/2012",
                [
                    "A1,01/01/2024,S,C2,N1,U6,PR1,01/06/2024,X1,,,,SC1",
                    "A1,01/06/2024,T,C2,N1,U4,PR1,01/10/2024,X1,,,,SC1",
                    "A1,01/10/2024,P,C2,N1,K2,PR4,,,,,,SC2",
                ],
            ),
            # A2: the same, but the middle change is of legal status only (L): two.
            (
                "A2",
                "01/05/2012",
                [
                    "A2,01/01/2024,S,C1,N1,U6,PR1,01/06/2024,X1,,,,SC3",
                    "A2,01/06/2024,L,C2,N1,U6,PR1,01/10/2024,X1,,,,SC3",
                    "A2,01/10/2024,P,C2,N1,K2,PR4,,,,,,SC4",
                ],
            ),
        ],
    )
    assert counted(raw, "placements_3plus_pct") == (1, 2)  # A1 of A1, A2


def test_long_term_stability_is_with_the_same_carer_across_t_and_u(store):
    raw = raw_figures(
        store,
        [
            # A3: with one carer since 2020; the placement became long-term fostering
            # in June 2024 (T, same carer): stable.
            (
                "A3",
                "01/05/2014",
                [
                    "A3,01/01/2020,S,C2,N1,U6,PR1,01/06/2024,X1,,,,SC5",
                    "A3,01/06/2024,T,C2,N1,U4,PR1,,,,,,SC5",
                ],
            ),
            # A4: the same with a change of legal status at the same time (U): stable.
            (
                "A4",
                "01/05/2014",
                [
                    "A4,01/01/2020,S,C1,N1,U6,PR1,01/06/2024,X1,,,,SC6",
                    "A4,01/06/2024,U,C2,N1,U4,PR1,,,,,,SC6",
                ],
            ),
            # A5: moved to a new carer in June 2024 (P): not stable.
            (
                "A5",
                "01/05/2014",
                [
                    "A5,01/01/2020,S,C2,N1,U6,PR1,01/06/2024,X1,,,,SC7",
                    "A5,01/06/2024,P,C2,N1,U4,PR4,,,,,,SC8",
                ],
            ),
        ],
    )
    assert counted(raw, "long_term_stability_pct") == (2, 3)  # A3, A4 of A3, A4, A5


def test_a_placement_that_ended_on_the_first_day_of_the_year_is_not_counted(store):
    # The 12 months to 30 June 2024 begin on 1 July 2023.
    raw = raw_figures(
        store,
        [
            # B1: moved on 1 July 2023 itself and again in March: the placement left that
            # morning is not one of the year's, so two placements.
            (
                "B1",
                "01/05/2012",
                [
                    "B1,01/01/2023,S,C2,N1,U1,PR1,01/07/2023,X1,,,,SC1",
                    "B1,01/07/2023,P,C2,N1,U2,PR1,01/03/2024,X1,,,,SC2",
                    "B1,01/03/2024,P,C2,N1,K2,PR4,,,,,,SC3",
                ],
            ),
            # B2: the same moves a day later: the first placement was held on 1 July,
            # so three placements.
            (
                "B2",
                "01/05/2012",
                [
                    "B2,01/01/2023,S,C2,N1,U1,PR1,02/07/2023,X1,,,,SC4",
                    "B2,02/07/2023,P,C2,N1,U2,PR1,01/03/2024,X1,,,,SC5",
                    "B2,01/03/2024,P,C2,N1,K2,PR4,,,,,,SC6",
                ],
            ),
            # B3: a change of legal status only on 1 July keeps the placement held that
            # day; then two moves: three placements.
            (
                "B3",
                "01/05/2012",
                [
                    "B3,01/01/2023,S,C1,N1,U1,PR1,01/07/2023,X1,,,,SC7",
                    "B3,01/07/2023,L,C2,N1,U1,PR1,01/10/2023,X1,,,,SC7",
                    "B3,01/10/2023,P,C2,N1,U2,PR1,01/03/2024,X1,,,,SC8",
                    "B3,01/03/2024,P,C2,N1,K2,PR4,,,,,,SC9",
                ],
            ),
        ],
    )
    assert counted(raw, "placements_3plus_pct", date(2024, 6, 30)) == (2, 3)  # B2, B3


def test_short_breaks_are_not_placements_and_care_begun_in_them_is_not_long_term(store):
    raw = raw_figures(
        store,
        [
            # C1: two short breaks (V3) in the year, then full care from September: one
            # placement, not three.
            (
                "C1",
                "01/05/2012",
                [
                    "C1,01/05/2024,S,V3,N2,U1,PR1,03/05/2024,E13,,,,SC1",
                    "C1,01/06/2024,S,V3,N2,U1,PR1,04/06/2024,E13,,,,SC1",
                    "C1,01/09/2024,S,C2,N1,U1,PR1,,,,,,SC1",
                ],
            ),
            # C2: a period of care that began as short breaks (V3) and became continuous
            # (a care order in March 2021): left out of the long-term group.
            (
                "C2",
                "01/05/2014",
                [
                    "C2,01/01/2021,S,V3,N2,U1,PR1,01/03/2021,X1,,,,SC2",
                    "C2,01/03/2021,L,C2,N1,U1,PR1,,,,,,SC2",
                ],
            ),
            # C3: in full care with one carer since 2020: in the group, and stable.
            ("C3", "01/05/2014", ["C3,01/01/2020,S,C2,N1,U1,PR1,,,,,,SC3"]),
        ],
    )
    assert counted(raw, "placements_3plus_pct") == (0, 3)  # C1, C2, C3 looked after
    assert counted(raw, "long_term_stability_pct") == (1, 1)  # C3 only


def test_a_temporary_placement_open_when_the_year_begins_stands_for_the_placement_held(store):
    # The 12 months to 31 March 2025 begin on 1 April 2024; each child is in hospital
    # (T1) from 20 March 2024.
    raw = raw_figures(
        store,
        [
            # D1: back to the same carer in April, then two moves: the placement held
            # behind the hospital stay and two more, three placements.
            (
                "D1",
                "01/05/2012",
                [
                    "D1,01/01/2024,S,C2,N1,U1,PR1,20/03/2024,X1,,,,SC1",
                    "D1,20/03/2024,P,C2,N1,T1,PR0,10/04/2024,X1,,,,",
                    "D1,10/04/2024,P,C2,N1,U1,PR1,01/10/2024,X1,,,,SC1",
                    "D1,01/10/2024,P,C2,N1,K2,PR4,01/12/2024,X1,,,,SC2",
                    "D1,01/12/2024,P,C2,N1,U4,PR4,,,,,,SC3",
                ],
            ),
            # D2: from hospital to a children's home, never back: two placements.
            (
                "D2",
                "01/05/2012",
                [
                    "D2,01/01/2024,S,C2,N1,U1,PR1,20/03/2024,X1,,,,SC4",
                    "D2,20/03/2024,P,C2,N1,T1,PR0,10/04/2024,X1,,,,",
                    "D2,10/04/2024,P,C2,N1,K2,PR4,,,,,,SC5",
                ],
            ),
            # D3: back to the same carer, then one move: two placements (neither the
            # hospital stay nor the return is one).
            (
                "D3",
                "01/05/2012",
                [
                    "D3,01/01/2024,S,C2,N1,U1,PR1,20/03/2024,X1,,,,SC6",
                    "D3,20/03/2024,P,C2,N1,T1,PR0,10/04/2024,X1,,,,",
                    "D3,10/04/2024,P,C2,N1,U1,PR1,01/10/2024,X1,,,,SC6",
                    "D3,01/10/2024,P,C2,N1,K2,PR4,,,,,,SC7",
                ],
            ),
        ],
    )
    assert counted(raw, "placements_3plus_pct") == (1, 3)  # D1 of D1, D2, D3


def test_a_placement_for_adoption_with_a_new_carer_continues_the_placement_before(store):
    raw = raw_figures(
        store,
        [
            # E1: foster placement from January 2022, placed for adoption with new
            # carers (A4) in February 2024: the two together last over two years, stable.
            (
                "E1",
                "01/01/2020",
                [
                    "E1,01/01/2022,S,C2,N1,U4,PR1,01/02/2024,X1,,,,SC1",
                    "E1,01/02/2024,B,E1,N1,A4,PR1,,,,,,",
                ],
            ),
            # E2: the same but a move to new foster carers (U6): not stable.
            (
                "E2",
                "01/01/2020",
                [
                    "E2,01/01/2022,S,C2,N1,U4,PR1,01/02/2024,X1,,,,SC2",
                    "E2,01/02/2024,P,C2,N1,U6,PR4,,,,,,SC3",
                ],
            ),
            # E3: placed for adoption (A6) after a children's home that began in December
            # 2023: only the placement just before is joined on, not stable.
            (
                "E3",
                "01/01/2012",
                [
                    "E3,01/01/2019,S,C2,N1,U4,PR1,01/12/2023,X1,,,,SC4",
                    "E3,01/12/2023,P,C2,N1,K2,PR4,01/06/2024,X1,,,,SC5",
                    "E3,01/06/2024,B,E1,N1,A6,PR1,,,,,,",
                ],
            ),
        ],
    )
    assert counted(raw, "long_term_stability_pct") == (1, 3)  # E1 of E1, E2, E3


def test_a_move_to_a_placement_for_adoption_with_a_new_carer_is_still_a_placement(store):
    # F1: three placements in the year, the last a placement for adoption with new
    # carers: it joins the one before for long-term stability only.
    raw = raw_figures(
        store,
        [
            (
                "F1",
                "01/01/2020",
                [
                    "F1,01/01/2024,S,C2,N1,U6,PR1,01/06/2024,X1,,,,SC1",
                    "F1,01/06/2024,P,C2,N1,U4,PR4,01/10/2024,X1,,,,SC2",
                    "F1,01/10/2024,B,E1,N1,A4,PR1,,,,,,",
                ],
            )
        ],
    )
    assert counted(raw, "placements_3plus_pct") == (1, 1)
