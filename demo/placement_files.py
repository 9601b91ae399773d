"""Children looked after on 31 March by characteristics and by placement provider (LA level).

DfE publishes these at LA level in ``la_cla_on_31_march_by_characteristics.csv``;
the shared reference folder only holds the national versions, so the demo uses
the national files' filter labels (``cla_group`` x ``characteristic`` and
``placement_type`` x ``placement_provider``) with the LA geography columns.
Both files are written from the same simulated placements, so "2a. Foster
placements" in the provider file equals "1a Total foster placements inside
council boundary" in the characteristics file, as in the real publication.
"""

from __future__ import annotations

import numpy as np

from demo.cla_files import TOTAL_CHILDREN, ValuesFn
from demo.conventions import CountTable, Key, Value
from demo.simulate import PROVIDERS, Core
from domain.symbols import NOT_APPLICABLE

AGE_LABELS = ("Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years and over")
NEED_LABELS = (
    "N1. Abuse or neglect",
    "N2. Child's disability",
    "N3. Parental illness or disability",
    "N4. Family in acute stress",
    "N5. Family dysfunction",
    "N6. Socially unacceptable behaviour",
    "N7. Low income",
    "N8. Absent parenting",
)
ETHNICITY_LABELS = (
    "1. Total White",
    "2. Total Mixed or Multiple ethnic groups",
    "3. Total Asian or Asian British",
    "4. Total Black, African, Caribbean or Black British",
    "5. Total other ethnic group",
    "6. Total refused or information not yet available",
)
GENDER_LABELS = ("Female", "Male")
LEGAL_LABELS = (
    "Care orders",
    "Detained for child protection",
    "Placement order granted",
    "Voluntary agreements under S20 CA 1989",
    "Youth justice legal statuses",
)
FOSTER = "1. Total foster placements"
FOSTER_IN = "1a Total foster placements inside council boundary"
FOSTER_IN_KIN = "1a.1 Total foster placements inside council boundary with relative or friend"
FOSTER_IN_OTHER = "1a.2 Total foster placements inside council boundary with other foster carer"
FOSTER_OUT = "1b Total foster placements outside council boundary"
FOSTER_OUT_KIN = "1b.1 Total foster placements outside council boundary with relative or friend"
FOSTER_OUT_OTHER = "1b.2 Total foster placements outside council boundary with other foster carer"
ADOPTION = "2. Total placed for adoption"
PARENTS = "3. Total placed with parents or other person with parental responsibility"
HOMES = "4. Total secure homes and children's homes"
SECURE_IN = "4a Secure home placement inside the council boundary"
SECURE_OUT = "4b Secure home placement outside the council boundary"
CHILDRENS_HOMES = "4c Total children's homes subject to children's homes regulations"
CHILDRENS_HOMES_IN = "4c.1 Children's home placement inside the council boundary"
CHILDRENS_HOMES_OUT = "4c.2 Children's home placement outside the council boundary"
INDEPENDENT = (
    "5. Total independent and semi-independent living arrangements/ supported accommodation"
)
OTHER_RESIDENTIAL = "6. Total other residential settings"
RESIDENTIAL_SCHOOLS = "7. Total residential schools"
OTHER_PLACEMENTS = "8. Total other placements"
TOP_PLACEMENTS = (
    FOSTER,
    ADOPTION,
    PARENTS,
    HOMES,
    INDEPENDENT,
    OTHER_RESIDENTIAL,
    RESIDENTIAL_SCHOOLS,
    OTHER_PLACEMENTS,
)
PLACEMENT_LABELS = (
    *TOP_PLACEMENTS,
    FOSTER_IN,
    FOSTER_IN_KIN,
    FOSTER_IN_OTHER,
    FOSTER_OUT,
    FOSTER_OUT_KIN,
    FOSTER_OUT_OTHER,
    SECURE_IN,
    SECURE_OUT,
    CHILDRENS_HOMES,
    CHILDRENS_HOMES_IN,
    CHILDRENS_HOMES_OUT,
)

CHARACTERISTIC_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Age group", AGE_LABELS),
    ("Category of need", NEED_LABELS),
    ("Ethnicity", ETHNICITY_LABELS),
    ("Gender", GENDER_LABELS),
    ("Legal status", LEGAL_LABELS),
    ("Placement", PLACEMENT_LABELS),
)


def characteristics_table() -> CountTable:
    keys: list[Key] = []
    denominators: dict[Key, Key] = {}
    groups: list[tuple[Key, tuple[Key, ...]]] = []
    for group, labels in CHARACTERISTIC_GROUPS:
        total = (group, TOTAL_CHILDREN)
        # EES lists each group's labels in plain sort order ("Total children" included).
        keys += [(group, label) for label in sorted((*labels, TOTAL_CHILDREN))]
        denominators |= {(group, label): total for label in (*labels, TOTAL_CHILDREN)}
        top = TOP_PLACEMENTS if group == "Placement" else labels
        groups.append((total, tuple((group, label) for label in top)))
    p = "Placement"
    groups += [
        ((p, FOSTER), ((p, FOSTER_IN), (p, FOSTER_OUT))),
        ((p, FOSTER_IN), ((p, FOSTER_IN_KIN), (p, FOSTER_IN_OTHER))),
        ((p, FOSTER_OUT), ((p, FOSTER_OUT_KIN), (p, FOSTER_OUT_OTHER))),
        ((p, HOMES), ((p, SECURE_IN), (p, SECURE_OUT), (p, CHILDRENS_HOMES))),
        ((p, CHILDRENS_HOMES), ((p, CHILDRENS_HOMES_IN), (p, CHILDRENS_HOMES_OUT))),
    ]
    return CountTable(keys, denominators, groups)


def characteristics_values(
    core: Core, placements: dict[str, np.ndarray], chars: dict[str, np.ndarray]
) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        cla = int(core.cla[i, t])
        result: dict[Key, Value] = {}
        for group, _ in CHARACTERISTIC_GROUPS:
            result[(group, TOTAL_CHILDREN)] = cla
        for label, v in zip(AGE_LABELS, chars["age"][i, t], strict=True):
            result[("Age group", label)] = int(v)
        for label, v in zip(NEED_LABELS, chars["need"][i, t], strict=True):
            result[("Category of need", label)] = int(v)
        for label, v in zip(ETHNICITY_LABELS, chars["ethnicity"][i, t], strict=True):
            result[("Ethnicity", label)] = int(v)
        male = int(chars["male"][i, t])
        result[("Gender", "Female")] = cla - male
        result[("Gender", "Male")] = male
        for label, v in zip(LEGAL_LABELS, chars["legal"][i, t], strict=True):
            result[("Legal status", label)] = int(v)

        def get(name: str) -> int:
            return int(placements[name][i, t])

        secure_in = int(chars["secure_in"][i, t])
        secure_out = int(chars["secure_out"][i, t])
        p = "Placement"
        result |= {
            (p, FOSTER): get("foster"),
            (p, FOSTER_IN): get("foster_in"),
            (p, FOSTER_IN_KIN): get("foster_in_kin"),
            (p, FOSTER_IN_OTHER): get("foster_in") - get("foster_in_kin"),
            (p, FOSTER_OUT): get("foster_out"),
            (p, FOSTER_OUT_KIN): get("foster_out_kin"),
            (p, FOSTER_OUT_OTHER): get("foster_out") - get("foster_out_kin"),
            (p, ADOPTION): get("adoption"),
            (p, PARENTS): get("parents"),
            (p, HOMES): get("homes"),
            (p, SECURE_IN): secure_in,
            (p, SECURE_OUT): secure_out,
            (p, CHILDRENS_HOMES): get("homes") - secure_in - secure_out,
            (p, CHILDRENS_HOMES_IN): get("homes_in") - secure_in,
            (p, CHILDRENS_HOMES_OUT): get("homes_out") - secure_out,
            (p, INDEPENDENT): get("indep"),
            (p, OTHER_RESIDENTIAL): get("other_res"),
            (p, RESIDENTIAL_SCHOOLS): get("res_school"),
            (p, OTHER_PLACEMENTS): get("other"),
        }
        return result

    return values


# ---------------------------------------------------------------------------
# Placement type x provider

ALL_CHILDREN = "All children"
PROVIDER_LABELS = {
    "ola": "Other LA provision",
    "other_public": "Other public provision (e.g., PCT)",
    "own": "Own provision (by the LA)",
    "parents": "Parents or other person with parental responsibility",
    "not_reported": "Placement provider not reported",
    "private": "Private provision",
    "voluntary": "Voluntary/third sector provision",
}
# Output order of the provider column (plain sort, "All children" first, as EES lists it).
PROVIDER_ORDER = (
    "all",
    "ola",
    "other_public",
    "own",
    "parents",
    "not_reported",
    "private",
    "voluntary",
)
TYPE_SUFFIX = {
    "foster": "Foster placements",
    "homes": "Secure homes and children's homes",
    "indep": "Independent and semi-independent living arrangements/supported accommodation",
    "other_res": "Other residential settings",
    "res_school": "Residential schools",
    "parents": "Placed with parents or other person with parental responsibility",
    "adoption": "Placed for adoption",
}
TYPE_ORDER = ("foster", "homes", "indep", "other_res", "res_school", "parents", "adoption")
ALL_TYPE = "1. All children looked after at 31 March"
INSIDE_TYPE = "2. All children placed inside council boundary"
OUTSIDE_TYPE = "3. All children placed outside council boundary"
OTHER_TYPE = "4. Other placement"


def _type_label(prefix: str, cat: str) -> str:
    return f"{prefix}{'abcdefg'[TYPE_ORDER.index(cat)]}. {TYPE_SUFFIX[cat]}"


def placement_types() -> list[str]:
    types = [ALL_TYPE, INSIDE_TYPE]
    types += [_type_label("2", c) for c in TYPE_ORDER]
    types.append(OUTSIDE_TYPE)
    types += [_type_label("3", c) for c in TYPE_ORDER]
    types.append(OTHER_TYPE)
    return types


def _applicable(placement_type: str, provider: str) -> bool:
    """Which type x provider cells exist (the rest are published as ``z``)."""
    if provider == "all":
        return True
    if placement_type == OTHER_TYPE:
        return provider == "not_reported"
    if provider == "not_reported":
        return placement_type == ALL_TYPE
    is_parents = placement_type.endswith(TYPE_SUFFIX["parents"])
    if is_parents:
        return provider == "parents"
    if provider == "parents":
        return placement_type in (ALL_TYPE, INSIDE_TYPE, OUTSIDE_TYPE)
    return True


def provider_table() -> CountTable:
    keys: list[Key] = []
    denominators: dict[Key, Key] = {}
    groups: list[tuple[Key, tuple[Key, ...]]] = []
    types = placement_types()
    for ptype in types:
        total = (ptype, ALL_CHILDREN)
        row_keys = [
            (ptype, ALL_CHILDREN if p == "all" else PROVIDER_LABELS[p]) for p in PROVIDER_ORDER
        ]
        keys += row_keys
        denominators |= {k: total for k in row_keys}
        groups.append((total, tuple(row_keys[1:])))
    for prefix, parent in (("2", INSIDE_TYPE), ("3", OUTSIDE_TYPE)):
        children = [_type_label(prefix, c) for c in TYPE_ORDER]
        for p in PROVIDER_ORDER:
            label = ALL_CHILDREN if p == "all" else PROVIDER_LABELS[p]
            groups.append(((parent, label), tuple((c, label) for c in children)))
    for p in PROVIDER_ORDER:
        label = ALL_CHILDREN if p == "all" else PROVIDER_LABELS[p]
        groups.append(
            ((ALL_TYPE, label), ((INSIDE_TYPE, label), (OUTSIDE_TYPE, label), (OTHER_TYPE, label)))
        )
    return CountTable(keys, denominators, groups)


def provider_values(placements: dict[str, np.ndarray]) -> ValuesFn:
    types = placement_types()
    labels = {(prefix, cat): _type_label(prefix, cat) for prefix in "23" for cat in TYPE_ORDER}
    provider_label = {p: ALL_CHILDREN if p == "all" else PROVIDER_LABELS[p] for p in PROVIDER_ORDER}
    applicable = {(t, p): _applicable(t, p) for t in types for p in PROVIDER_ORDER}

    def values(i: int, t: int) -> dict[Key, Value]:
        cells: dict[str, dict[str, int]] = {}
        for prefix, loc in (("2", "in"), ("3", "out")):
            for cat in TYPE_ORDER:
                total = int(placements[f"{cat}_{loc}"][i, t])
                row = {p: 0 for p in PROVIDER_ORDER}
                row["all"] = total
                if cat == "parents":
                    row["parents"] = total
                else:
                    split = placements[f"{cat}_{loc}_providers"][i, t]
                    for name, v in zip(PROVIDERS, split, strict=True):
                        row[name] = int(v)
                cells[labels[(prefix, cat)]] = row
            parent = INSIDE_TYPE if loc == "in" else OUTSIDE_TYPE
            cells[parent] = {
                p: sum(cells[labels[(prefix, c)]][p] for c in TYPE_ORDER) for p in PROVIDER_ORDER
            }
        other = int(placements["other"][i, t])
        cells[OTHER_TYPE] = {p: 0 for p in PROVIDER_ORDER} | {"all": other, "not_reported": other}
        cells[ALL_TYPE] = {
            p: cells[INSIDE_TYPE][p] + cells[OUTSIDE_TYPE][p] + cells[OTHER_TYPE][p]
            for p in PROVIDER_ORDER
        }
        result: dict[Key, Value] = {}
        for ptype in types:
            row = cells[ptype]
            for p in PROVIDER_ORDER:
                result[(ptype, provider_label[p])] = (
                    row[p] if applicable[(ptype, p)] else NOT_APPLICABLE
                )
        return result

    return values
