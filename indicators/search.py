"""Finding an indicator by the words a panel member uses, not only DfE's title.

Councillors ask about "stability", "moves", "NEET" or "GCSEs"; the catalogue's
titles say "lived with the same carer for 2 years" and "key stage 4". A search
matches each word typed against an indicator's title, short title, id and the
titles of its lines of enquiry, and against the plain words below, which map a
common word onto one the catalogue uses. Every word typed must match (so
"care leavers EET" narrows, not widens).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from indicators.catalogue import Indicator, grouping

# A word people say → words the catalogue's titles use (any one of them matches).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "moves": ("placements", "changed school"),
    "move": ("placements", "changed school"),
    "placement": ("placements", "placed", "living"),
    "cla": ("looked after",),
    "lac": ("looked after",),
    "cic": ("looked after", "in care"),
    "neet": ("education, employment or training",),
    "eet": ("education, employment or training",),
    "jobs": ("employment",),
    "university": ("higher education",),
    "housing": ("accommodation", "housed"),
    "gcse": ("key stage 4", "attainment 8"),
    "gcses": ("key stage 4", "attainment 8"),
    "sats": ("key stage 2",),
    "school": ("school", "key stage", "absence"),
    "teeth": ("dental", "teeth"),
    "dentist": ("dental",),
    "jabs": ("immunisations",),
    "vaccinations": ("immunisations",),
    "mental": ("sdq", "strengths and difficulties"),
    "emotional": ("sdq", "strengths and difficulties"),
    "wellbeing": ("sdq", "health"),
    "runaway": ("missing", "without authorisation"),
    "absent": ("missing", "absence", "absent"),
    "offending": ("convicted", "convictions"),
    "crime": ("convicted", "convictions"),
    "police": ("convicted", "convictions"),
    "drugs": ("substance misuse",),
    "alcohol": ("substance misuse",),
    "distance": ("20 miles", "outside"),
    "away": ("outside", "away", "20 miles"),
    "fostering": ("foster",),
    "residential": ("children's homes", "residential"),
    "homes": ("children's homes", "homes"),
    "adopted": ("adoption",),
    "social": ("social workers",),
    "caseworker": ("social workers",),
    "rate": ("per 10,000", "rate"),
}
_WORD = re.compile(r"[\w'’+.-]+")


def searchable_text(item: Indicator) -> str:
    """Everything a search looks in: titles, the id's words and the lines' titles and labels
    ("6. Stability")."""
    titles = {theme.id: f"{theme.title} {theme.label}" for theme in grouping("lga").themes}
    line_titles = [titles[line] for line in item.lines if line in titles]
    return " ".join([item.title, item.short_title, item.id.replace("_", " "), *line_titles]).lower()


def _matches(word: str, text: str) -> bool:
    return word in text or any(other in text for other in SYNONYMS.get(word, ()))


def matching_indicators(items: Iterable[Indicator], query: str) -> list[str]:
    """The ids of the indicators every word of the query matches, in the order given."""
    words = [w.strip(".'’").lower() for w in _WORD.findall(query or "")]
    words = [w for w in words if w]
    return [item.id for item in items if all(_matches(w, searchable_text(item)) for w in words)]
