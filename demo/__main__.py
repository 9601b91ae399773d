"""Command line entry point, so that ``python -m demo OUT_DIR`` works."""

from demo.generate import main

if __name__ == "__main__":
    raise SystemExit(main())
