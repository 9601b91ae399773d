"""Fictional demo data in the Department for Education's own open-data layouts.

The dashboard must be usable (and testable) without anyone's real data, and the
demo should travel the same code path as a real download from Explore Education
Statistics. So this package invents about 150 councils in 9 regions, simulates
their children-looked-after figures from persistent latent traits, and writes
CSV files with exactly the columns, filter labels, rounding and suppression
symbols of the published DfE and ONS files. Nothing here is real data.

Run ``python -m demo OUT_DIR [--seed N]`` or call
:func:`demo.generate.generate_demo_files`.
"""
