"""The council's quarterly return and local indicators: each check, then the load."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import load_texts, store_contents
from fixtures import quarterly as q

from loaders.datasets import ATTAINMENT_8, NET_COUNT, PERCENT, SDQ_AVERAGE
from loaders.quarterly import catalogue_units, indicator_kind, return_template
from loaders.store import scalar, undo_load

pytestmark = pytest.mark.pure

TODAY = date(2026, 11, 23)


def load(store, files, **options):
    return load_texts(store, files, today=TODAY, **options)


def only_problem(report):
    problems = [p for p in report.problems if p.severity == "error"]
    assert len(problems) == 1, [p.describe() for p in problems]
    return problems[0]


def test_a_valid_return_loads_value_numerator_and_denominator(store):
    report = load(store, {"q.csv": q.quarterly_return()})
    assert report.status == "committed"
    (file,) = report.files
    assert (file.dataset, file.layout, file.release) == (
        "quarterly_return",
        "quarterly return",
        "202526 Q2",
    )
    rows = store.execute(
        "SELECT breakdown, variant, measure, value, year FROM current_facts "
        "WHERE dataset = 'quarterly_return' ORDER BY ALL"
    ).fetchall()
    assert ("cla_count", "Q1", "value", 590.0, 2025) in rows
    assert ("foster_pct", "Q1", "denominator", 590.0, 2025) in rows
    assert ("cla_count", "Q2", "value", 601.0, 2025) in rows


@pytest.mark.parametrize(
    ("bad_row", "check", "column"),
    [
        (q.row("cla_count", "lots"), "number", "value"),
        (q.row("cla_count", "-3"), "value_range", "value"),
        (q.row("foster_pct", "120"), "value_range", "value"),
        (q.row("foster_pct", "-40"), "value_range", "value"),
        (q.row("sdq_mean", "41"), "value_range", "value"),
        (q.row("ks4_attainment8", "95"), "value_range", "value"),
        (q.row("foster_pct", "50", numerator="-2", denominator="4"), "value_range", "numerator"),
        (
            q.row("foster_pct", "50", numerator="9", denominator="3"),
            "numerator_within_denominator",
            "numerator",
        ),
        (
            q.row("cla_rate_per_10k", "60", numerator="9000", denominator="8000"),
            "numerator_within_denominator",
            "numerator",
        ),
        (q.row("no_such_indicator", "5"), "indicator_known", "indicator_id"),
        (q.row("cla_count", "5", period="2025"), "period", "time_period"),
        (q.row("cla_count", "5", quarter="Quarter 5"), "quarter", "time_identifier"),
        (
            q.row("cla_count", "5", period="202627", quarter="Q3"),
            "quarter_in_range",
            "time_identifier",
        ),
        (q.row("cla_count", "5").replace(",172,", ",999,"), "one_council", "old_la_code"),
        (q.row("cla_count", "5").replace("E06000099", "X1"), "council_code", "new_la_code"),
    ],
)
def test_each_bad_cell_is_named_by_line_column_and_check_and_nothing_is_written(
    store, bad_row, check, column
):
    before = store_contents(store)
    text = q.quarterly_return(q.row("cla_count", "590", quarter="Q3"), bad_row)
    report = load(store, {"bad.csv": text})
    assert report.status == "rejected"
    problem = only_problem(report)
    assert (problem.check, problem.line, problem.column) == (check, 3, column)
    assert problem.expected
    assert store_contents(store) == before


def test_a_range_problem_names_the_kind_of_figure_and_its_range(store):
    text = q.quarterly_return(q.row("foster_pct", "-40"))
    problem = only_problem(load(store, {"bad.csv": text}))
    assert problem.message.startswith("-40 is not a percentage")
    assert problem.expected == "0 to 100"


def test_figures_whose_range_is_not_a_plain_count_are_accepted(store):
    # A net gain may be negative (more children placed out than in), and a child who
    # went missing can go missing more than once: incidents may outnumber children.
    text = q.quarterly_return(
        q.row("net_gain_count", "-12"),
        q.row("sdq_mean", "14.9"),
        q.row("missing_incidents_per_child", "4.5", numerator="27", denominator="6"),
    )
    report = load(store, {"q.csv": text})
    assert report.status == "committed", [p.describe() for p in report.problems]


def test_every_catalogue_indicator_has_a_kind_of_value():
    kinds = {i: indicator_kind(i, unit) for i, unit in catalogue_units().items()}
    assert [i for i, kind in kinds.items() if kind is None] == []
    assert kinds["sdq_mean"] is SDQ_AVERAGE
    assert kinds["ks4_attainment8"] is ATTAINMENT_8
    assert kinds["net_gain_count"] is NET_COUNT
    # A percentage computed from published counts is still a percentage.
    assert kinds["placed_outside_la_pct"] is PERCENT


def test_a_repeated_indicator_and_quarter_is_a_duplicate(store):
    text = q.quarterly_return(q.row("cla_count", "590"), q.row("cla_count", "591"))
    problem = only_problem(load(store, {"dup.csv": text}))
    assert (problem.check, problem.line) == ("duplicate", 3)
    assert "line 2" in problem.message


def test_missing_columns_block_before_any_content_check(store):
    text = "time_period,time_identifier,indicator_id,value\n202526,Q1,cla_count,5\n"
    report = load(store, {"short.csv": text})
    checks = {p.check for p in report.problems if p.severity == "error"}
    assert checks == {"required_columns"}


def test_local_definitions_and_their_values_load_together_and_undo_together(store):
    values = q.quarterly_return(q.row("members_trained_pct", "64"))
    report = load(store, {"local.csv": q.local_definitions(), "values.csv": values})
    assert report.status == "committed", [p.describe() for p in report.problems]
    assert scalar(store, "SELECT title FROM current_local_indicators") == (
        "Councillors trained in corporate parenting"
    )
    undo_load(store, report.load_id)
    assert scalar(store, "SELECT count(*) FROM local_indicators") == 0
    assert scalar(store, "SELECT count(*) FROM facts") == 0


def test_values_for_a_local_indicator_need_its_definition(store):
    values = q.quarterly_return(q.row("members_trained_pct", "64"))
    assert only_problem(load(store, {"values.csv": values})).check == "indicator_known"
    load(store, {"local.csv": q.local_definitions()})
    assert load(store, {"values.csv": values}).status == "committed"


def test_a_bad_definition_names_its_column(store):
    text = q.local_definitions().replace(",duties,", ",nowhere,")
    problem = only_problem(load(store, {"local.csv": text}))
    assert (problem.check, problem.column, problem.line) == (
        "definition_line_of_enquiry",
        "line_of_enquiry",
        2,
    )


def test_a_resubmitted_quarter_is_previewed_as_a_revision_and_undo_restores_it(store):
    load(store, {"q1.csv": q.quarterly_return(q.row("cla_count", "590"))})
    again = q.quarterly_return(q.row("cla_count", "595"), q.row("cla_count", "601", quarter="Q2"))
    preview = load(store, {"q2.csv": again}, dry_run=True).preview
    assert preview.revised_facts == 1
    assert tuple(preview.revisions.iloc[0][["old_value", "new_value"]]) == ("590", "595")
    committed = load(store, {"q2.csv": again})
    query = (
        "SELECT value FROM current_facts WHERE dataset = 'quarterly_return' "
        "AND variant = 'Q1' AND measure = 'value'"
    )
    assert scalar(store, query) == 595
    undo_load(store, committed.load_id)
    assert scalar(store, query) == 590


def test_the_template_lists_every_catalogue_indicator_and_loads_once_filled(store):
    text = return_template(
        "172", "Wyrebrook", "E06000099", "E12000002", "North West", "202526", "Q1"
    )
    lines = text.strip().splitlines()
    assert lines[1].startswith("202526,Q1,Local authority")
    assert any(",cla_count,,," in line for line in lines)
    filled = "\n".join([lines[0]] + [line + "5" for line in lines[1:] if ",cla_count," in line])
    assert load(store, {"filled.csv": filled + "\n"}).status == "committed"


def test_the_templates_blank_rows_are_left_out_and_lines_still_name_the_file(store):
    """An analyst fills the indicators they collect and leaves the rest of the template blank."""
    text = return_template(
        "172", "Wyrebrook", "E06000099", "E12000002", "North West", "202526", "Q1"
    )
    header, *rows = text.strip().splitlines()
    assert len(rows) > 13
    filled = [row + "5" if i < 13 else row for i, row in enumerate(rows)]
    report = load(store, {"filled.csv": "\n".join([header, *filled]) + "\n"})
    assert report.status == "committed", [p.describe() for p in report.problems]
    assert not [p for p in report.problems if p.severity == "error"]
    assert scalar(store, "SELECT count(*) FROM facts WHERE dataset = 'quarterly_return'") == 13
    (note,) = [p for p in report.problems if p.check == "blank_rows"]
    assert note.severity == "info"
    assert f"{len(rows) - 13} rows" in note.message
    # A bad value below the blank rows is still named by its own line in the file.
    bad = [*filled[:-1], filled[-1] + "lots"]
    problem = only_problem(load(store, {"bad.csv": "\n".join([header, *bad]) + "\n"}))
    assert (problem.check, problem.line, problem.value) == ("number", len(rows) + 1, "lots")


def test_a_template_with_no_value_filled_in_says_so(store):
    text = return_template(
        "172", "Wyrebrook", "E06000099", "E12000002", "North West", "202526", "Q1"
    )
    problem = only_problem(load(store, {"empty.csv": text}))
    assert problem.check == "empty"
    assert problem.message.startswith("No row has a value")
