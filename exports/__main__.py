"""Command line for scheduled meeting packs.

    python -m exports pack --db FILE --la CODE [--period P]
        [--group G | --indicators A,B] --out FILE.pptx

For scheduled packs: the same deck the Export page builds, written to a file.
"""

from __future__ import annotations

import argparse
import sys
import time

from exports.pack import pack_from_store
from indicators.catalogue import catalogue, grouping, groupings
from loaders.store import open_store_or_exit


def indicator_slides(deck: bytes) -> int:
    """How many slides of the deck are an indicator's (each has its comparison table)."""
    import io

    from pptx import Presentation

    return sum(
        any(shape.name == "Comparison table" for shape in slide.shapes)
        for slide in Presentation(io.BytesIO(deck)).slides
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exports", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    pack = commands.add_parser("pack", help="write the meeting pack (.pptx)")
    pack.add_argument("--db", required=True, help="the DuckDB store")
    pack.add_argument("--la", required=True, help="the council's old LA code, e.g. 825")
    pack.add_argument("--period", type=int, help="year to show (default: each latest)")
    chosen = pack.add_mutually_exclusive_group()
    chosen.add_argument("--group", help="a theme id, e.g. stability, or GROUPING:THEME")
    chosen.add_argument("--indicators", help="comma-separated indicator ids")
    pack.add_argument("--model", help="statistical neighbour model (default: the latest)")
    pack.add_argument("--meeting", default="Corporate parenting panel", help="meeting name")
    pack.add_argument("--date", help="meeting date as it should appear")
    pack.add_argument("--out", required=True, help="the .pptx file to write")
    args = parser.parse_args(argv)

    known = {item.id for item in catalogue()}
    if args.indicators:
        ids = [i.strip() for i in args.indicators.split(",") if i.strip()]
    elif args.group:
        grouping_id, _, theme_id = args.group.rpartition(":")
        try:
            ids = list(grouping(grouping_id or "lga").theme(theme_id).indicator_ids)
        except KeyError:
            themes = [f"{g.id}:{t.id}" for g in groupings() for t in g.themes]
            print(f"Unknown group {args.group!r}. Known: {', '.join(themes)}")
            return 2
    else:
        ids = [i for t in grouping("lga").themes for i in t.indicator_ids]
        ids = list(dict.fromkeys(ids))
    unknown = [i for i in ids if i not in known]
    if unknown:
        print(f"Unknown indicator id(s): {', '.join(unknown)}")
        return 2
    options = {"year": args.period, "sn_model": args.model, "meeting_name": args.meeting}
    if args.date:
        options["meeting_date"] = args.date
    con = open_store_or_exit(args.db, read_only=True)
    started = time.perf_counter()
    try:
        deck = pack_from_store(con, args.la, ids, **options)
    except ValueError as problem:
        print(problem)
        return 2
    with open(args.out, "wb") as handle:
        handle.write(deck)
    slides = indicator_slides(deck)
    missing = len(ids) - slides
    print(
        f"Wrote {args.out}: {slides} indicator slide{'' if slides == 1 else 's'} "
        f"({missing} of the {len(ids)} indicators asked for "
        f"{'has' if missing == 1 else 'have'} no figure) in "
        f"{time.perf_counter() - started:.1f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
