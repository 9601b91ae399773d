"""Command line: ``python -m indicators show --db FILE --la CODE`` and ``… list``.

``show`` prints one row per indicator for a council and period, with the same
comparisons the app shows (neighbours, region, England, rank, band, direction,
funnel); ``list`` prints the catalogue.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from indicators.catalogue import catalogue
from indicators.scorecard import SHOW_COLUMNS, council_scorecard
from loaders.store import open_store_or_exit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indicators", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="every indicator for one council and period")
    show.add_argument("--db", required=True)
    show.add_argument("--la", required=True, help="the council's 3-digit old_la_code, e.g. 857")
    show.add_argument("--period", type=int, help="year (default: each indicator's latest)")
    show.add_argument("--sn-model", help="statistical neighbour model year (default: newest)")
    show.add_argument("--sn-method", choices=("mean", "median"), default="mean")
    show.add_argument("--release", help="read this release instead of the newest")
    show.add_argument("--format", choices=("table", "csv"), default="table")
    show.add_argument("--sentences", action="store_true", help="also print the narrative")
    commands.add_parser("list", help="the indicator catalogue")
    args = parser.parse_args(argv)

    if args.command == "list":
        rows = [
            {
                "indicator_id": i.id,
                "title": i.title,
                "unit": i.unit,
                "decimals": i.decimals,
                "polarity": i.polarity,
                "lines": ", ".join(i.lines),
            }
            for i in catalogue()
        ]
        with pd.option_context("display.max_colwidth", 70, "display.width", 220):
            print(pd.DataFrame(rows).to_string(index=False))
        return 0

    con = open_store_or_exit(args.db, read_only=True)
    card = council_scorecard(
        con,
        args.la,
        year=args.period,
        sn_model=args.sn_model,
        sn_method=args.sn_method,
        release=args.release,
    )
    if card.rows.empty:
        print(f"No indicators found for council {args.la}.", file=sys.stderr)
        return 1
    table = card.rows[SHOW_COLUMNS]
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
    else:
        print(f"{card.council_name} ({args.la}); neighbours: {card.sn_description}")
        with pd.option_context("display.width", 250, "display.max_columns", None):
            print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    if args.sentences:
        print()
        for text in card.sentences:
            print(f"- {text}")
        print("\nStrengths:")
        for text in card.summary["strengths"] or ["(none stand out)"]:
            print(f"- {text}")
        print("Concerns:")
        for text in card.summary["concerns"] or ["(none stand out)"]:
            print(f"- {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
