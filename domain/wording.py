"""The words every page, table, chart, download and slide uses for the same idea.

A councillor meets "statistical neighbours", "SN", "neighbours" and "similar
councils" on different pages and cannot know they are one thing; a band letter
or a rank without "1 = best" means nothing to someone who has not read the
methodology. So each idea has one name here, with its plain explanation (the
glossary, docs/GLOSSARY.md, says the same), and everything else calls these
names instead of writing its own.
"""

from __future__ import annotations

# ------------------------------------------------------------ statistical neighbours
# The one name for DfE's statistical neighbours, in full (first use on a page, table
# headings, slides) and short (inside a sentence that has already said it once).
NEIGHBOURS_NAME = "similar councils (DfE statistical neighbours)"
NEIGHBOURS_SHORT = "similar councils"
NEIGHBOURS_AVERAGE_HEADING = "Similar councils (average)"
NEIGHBOURS_COLUMN = "Similar councils"  # a table column of their average
# Councils a reader chose to compare with that are not all similar councils (Compare).
OTHER_CHOSEN_COUNCILS = "Other chosen councils"
NEIGHBOURS_EXPLAINED = (
    "Similar councils are the ten councils the Department for Education (DfE) judges most "
    "like this one (its 'statistical neighbours'); the figure is their average."
)


# ------------------------------------------------------------------- quartile bands
# What each band letter means wherever a letter is shown (LAIT's bands, compare.py).
# Short enough for a table cell; BAND_EXPLAINED says "of councils" once.
BAND_MEANINGS = {
    "A": "best quarter",
    "B": "second-best quarter",
    "C": "second-worst quarter",
    "D": "worst quarter",
}
BAND_EXPLAINED = (
    "Band: councils are split into four equal groups on this figure; A is the best "
    "quarter, D the worst."
)


# In a narrow table cell (the scorecard): a sign, so the band does not rest on colour,
# the letter and one word; the page's caption gives BAND_EXPLAINED.
BAND_SIGNS = {"A": "✔", "B": "◐", "C": "◐", "D": "✘"}
BAND_SHORT = {"A": "best", "B": "2nd", "C": "3rd", "D": "worst"}


def band_flag(letter: object) -> str:
    """'✘ D worst' for a table cell; '' for no band."""
    if not isinstance(letter, str) or letter not in BAND_SIGNS:
        return ""
    return f"{BAND_SIGNS[letter]} {letter} {BAND_SHORT[letter]}"


def band_words(letter: object) -> str:
    """'D (worst quarter)'; '' for no band."""
    if not isinstance(letter, str) or letter not in BAND_MEANINGS:
        return ""
    return f"{letter} ({BAND_MEANINGS[letter]})"


# ---------------------------------------------------------------------------- rank
RANK_EXPLAINED = "Rank among all councils with a figure that year; 1 = best."
RANK_COLUMN = "Rank (1 = best)"  # a table column whose cells read "58 of 151"


def rank_of(rank: object, of: object) -> str:
    """'58 of 151', for a column headed RANK_COLUMN; '' when there is no rank."""
    try:
        place, total = int(rank), int(of)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return f"{place} of {total}"


def rank_words(rank: object, of: object) -> str:
    """'58 of 151 (1 = best)'; '' when there is no rank."""
    text = rank_of(rank, of)
    return f"{text} (1 = best)" if text else ""


# ------------------------------------------------------------- plain abbreviations
# Abbreviations a page may show, each with the words to say instead (or in a tooltip).
PLAIN_WORDS = {
    "EET": "in education, employment or training",
    "NEET": "not in education, employment or training",
    "SN": NEIGHBOURS_NAME,
    "UASC": "unaccompanied asylum-seeking children",
    "SDQ": "Strengths and Difficulties Questionnaire (a wellbeing score)",
    "LAIT": "DfE's Local Authority Interactive Tool",
    "denominator": "the number of children the percentage is out of",
}


# ------------------------------------------------------- strengths and concerns
# What the summary means, for the page and the pack to say under it (one wording).
SUMMARY_EXPLAINED = (
    "A strength is better than England and either in the best quarter of councils or "
    "beyond what chance would explain for the council's size; a concern is the reverse. "
    "Every one is listed."
)
TOO_SMALL_HEADING = "Too few children to judge"
# Said only where that list is shown: a promise of a list that is not there misleads.
TOO_SMALL_EXPLAINED = (
    "A figure that would be either but is based on too few children to tell from chance "
    f"is neither, and is listed under ‘{TOO_SMALL_HEADING}’."
)
NO_STRENGTHS = "No indicator stands out as clearly better than England."
NO_CONCERNS = "No indicator stands out as clearly worse than England."
