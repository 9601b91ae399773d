"""The project's shared vocabulary: what every layer means by a year, a quarter,
a unit, a polarity, a DfE symbol, a fact's key and the colours of a chart.

This package imports nothing of the project (a test checks that), so loaders,
indicators, charts, exports, the pages and the demo generator can all take their
words from here instead of keeping copies that drift apart.
"""
