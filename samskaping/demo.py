"""A synthetic demo survey: fictional cases and respondents in the canonical form (codebook.md).

The data are made up so that the tool can be tried without real answers. Each case gets latent
levels (success on 1–5, barrier on 1–100, thickness on 0–1) drawn from the random generator;
respondents scatter around them, social-enterprise respondents a little more positive than
municipal ones, and every answer adds item noise before it is rounded and clipped to its scale.
Which items follow which latent level comes from the codebook, the coding from the instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from samskaping import __version__
from samskaping.codebook import Codebook
from samskaping.instrument import Instrument

__all__ = ["DemoSurvey", "generate_demo", "write_demo_xlsx"]

MUNICIPALITY, SOCIAL_ENTERPRISE, OTHER = "municipality", "social_enterprise", "other"
_GROUP_ORDER = (MUNICIPALITY, SOCIAL_ENTERPRISE, OTHER)
# (case name, fictional municipality, fictional social enterprise): invented, none is a real case.
_CASES = (
    ("Fjordvik × Grønn Tråd", "Fjordvik", "Grønn Tråd AS"),
    ("Arbeidstrening i Bjørkelia", "Bjørkelia", "Vevstua Lin AS"),
    ("Nordhei × Matbua", "Nordhei", "Matbua Vest AS"),
    ("Vestbø × Gjenbruksloftet", "Vestbø", "Gjenbruksloftet SA"),
    ("Ungdomsløftet i Elvetun", "Elvetun", "Ungdomsbruket SA"),
    ("Myrvang × Sykkelstallen", "Myrvang", "Sykkelstallen Framtid"),
    ("Havbakken × Kystkjøkkenet", "Havbakken", "Kystkjøkkenet SA"),
    ("Grønne hender i Granlia", "Granlia", "Hagestua Frø SA"),
    ("Storåsen × Lyktverket", "Storåsen", "Lyktverket AS"),
    ("Kvitberg × Snekkerbua", "Kvitberg", "Snekkerbua Ny Start"),
    ("Saltvika × Tunet", "Saltvika", "Tunet Arbeidslag SA"),
    ("Tindeland × Verkstedet Bro", "Tindeland", "Verkstedet Bro AS"),
)
_MAX_CASES = 5_000  # beyond the 12 named cases, numbered fictional ones (benchmarks of national surveys)
_OTHER_PARTNERS = ("Lyngtun gård", "Regionkontoret for inkludering", "Fylkets tilretteleggingsteam")
_REGIONS = ("Nord", "Midt", "Vest", "Øst")
_LEADER_ITEM = "q02"  # the canonical data set's "other" text column is q02_other (codebook.md)
_LEADER_OTHER = ("Prosjektleder", "Rådgiver", "Fagkoordinator", "Styremedlem")
_COMMENTS = (
    "Ingen flere kommentarer.",
    "Vi ønsker mer tid til felles planlegging.",
    "Målgruppen burde vært mer med i beslutningene.",
    "Det er viktig at samarbeidet får fortsette.",
)
_TEXTS = {
    "q03": (
        "Vi hadde et felles mål om å få flere i arbeid.",
        "Kommunen trengte et tilbud som ikke fantes fra før.",
        "Et tidligere prosjekt viste at det fungerte.",
        "Ildsjeler på begge sider tok initiativet.",
        "Tilskuddsmidler gjorde det mulig å starte opp.",
    ),
    "q14": (
        "Vi møtes jevnlig og har god dialog.",
        "Samarbeidet fungerer godt i det daglige.",
        "Det tar tid å bygge tillit.",
        "Det fungerer, men rollene kunne vært tydeligere.",
        "Mye avhenger av noen få personer.",
    ),
    "q15": (
        "To rådgivere i helse- og omsorgstjenesten.",
        "En saksbehandler og en avdelingsleder.",
        "Tre-fire personer fra oppfølgingstjenesten.",
        "Kontakten går mest via én koordinator.",
    ),
    "q82": (
        "Usikker finansiering gjør det vanskelig å planlegge langsiktig.",
        "Det tar tid å bygge tillit.",
        "Ulike kulturer i kommunen og virksomheten.",
        "Byråkratiske rutiner sinker arbeidet.",
        "Vi mangler en felles arena for å dele erfaringer.",
    ),
}
# Shares and spreads of the generator (fractions of cells or respondents; scale units).
_SHARE_THREE, _SHARE_SKIP_LIKERT, _SHARE_BLANK_BARRIER, _SHARE_TEXT = 0.08, 0.03, 0.10, 0.60
_SIDE_SUCCESS = {MUNICIPALITY: -0.15, SOCIAL_ENTERPRISE: 0.25, OTHER: 0.05}  # gap 0.4 on 1–5
_SIDE_BARRIER = {MUNICIPALITY: 5.0, SOCIAL_ENTERPRISE: -7.0, OTHER: 0.0}  # gap 12 on 1–100


@dataclass(frozen=True, slots=True)
class DemoSurvey:
    """A generated demo survey.

    Attributes
    ----------
    data : pandas.DataFrame
        The canonical survey, one row per respondent: ``respondent_id``, ``case``, ``group``,
        the instrument's items in order, ``q02_other`` and ``attr_region``.
    about : pandas.DataFrame
        Columns ``key`` and ``value``: what the file is (synthetic data), seed, sizes and version.
    """

    data: pd.DataFrame
    about: pd.DataFrame


def generate_demo(
    instrument: Instrument, codebook: Codebook, *, respondents: int = 18, cases: int = 6, seed: int = 2018
) -> DemoSurvey:
    """Generate a fictional survey with a built-in structure for the dashboard to show.

    Parameters
    ----------
    instrument : Instrument
        Items and response formats (the coding of each column).
    codebook : Codebook
        Measures; factors, barriers and sub-indices decide which latent level an item follows.
    respondents : int, default 18
        Number of respondents; at least two per case.
    cases : int, default 6
        Number of fictional cases: 1 to 12 from a list of invented names, up to 5 000 numbered
        ones ("Samarbeid 0001" …) for national-scale benchmarks.
    seed : int, default 2018
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same survey.

    Returns
    -------
    DemoSurvey
        The canonical data set and its "about" table.

    Raises
    ------
    ValueError
        When ``cases`` or ``respondents`` is out of range.
    """
    _check_sizes(respondents, cases)
    rng = np.random.default_rng(seed)
    counts = _group_counts(respondents, cases)
    chosen = _choose_cases(rng, cases)
    case_of, group_of = _assign(rng, respondents, cases, counts)
    # Case latents: evenly spread positions, so some cases are clearly strong and some weak.
    position = rng.permutation(np.linspace(0.0, 1.0, cases)) if cases > 1 else rng.uniform(size=1)
    success = 2.5 + 2.0 * position + rng.normal(0.0, 0.08, cases)  # observed means about 2.6 to 4.2
    barrier = 70.0 - 45.0 * np.clip(position + rng.normal(0.0, 0.2, cases), 0.0, 1.0)
    thickness = 0.1 + 0.8 * (0.5 * position + 0.5 * rng.uniform(size=cases))
    regions = rng.choice(_REGIONS, size=cases)
    others = rng.choice(_OTHER_PARTNERS, size=cases)
    # Respondent latents: case level + side + respondent noise.
    r_success = success[case_of] + np.array([_SIDE_SUCCESS[g] for g in group_of]) + rng.normal(0, 0.35, respondents)
    r_barrier = barrier[case_of] + np.array([_SIDE_BARRIER[g] for g in group_of]) + rng.normal(0, 8.0, respondents)
    r_thick = np.clip(thickness[case_of] + rng.normal(0.0, 0.08, respondents), 0.0, 1.0)

    thick_items = {ref.item: (ref.reverse, m) for m in codebook.family("subindex") for ref in m.items}
    factors, barriers = codebook.family("factor"), codebook.family("barrier")
    factor_of = {item: k for k, m in enumerate(factors) for item in m.item_ids}
    barrier_of = {item: k for k, m in enumerate(barriers) for item in m.item_ids}
    factor_shift = rng.normal(0.0, 0.35, (cases, len(factors)))
    barrier_shift = rng.normal(0.0, 8.0, (cases, len(barriers)))

    columns: dict[str, np.ndarray | pd.Series] = {}
    likert: list[str] = []
    for item in instrument.items:
        fmt = instrument.formats[item.format]
        if fmt.kind == "text" and item.format == "partner":
            partners = {
                MUNICIPALITY: [f"{m} kommune" for _, m, _ in chosen],
                SOCIAL_ENTERPRISE: [e for *_, e in chosen],
                OTHER: list(others),
            }
            columns[item.id] = pd.Series([partners[g][c] for c, g in zip(case_of, group_of, strict=True)], dtype="str")
        elif fmt.kind == "text":
            columns[item.id] = _free_text(rng, _TEXTS.get(item.id, _COMMENTS), respondents, _SHARE_TEXT)
        elif fmt.kind == "choice" and item.id in thick_items:
            scores = thick_items[item.id][1].option_scores
            codes = np.array(sorted(scores), dtype=float)
            target = 100.0 * r_thick + rng.normal(0.0, 18.0, respondents)
            distance = np.abs(np.array([scores[int(c)] for c in codes])[None, :] - target[:, None])
            columns[item.id] = codes[distance.argmin(axis=1)]
        elif fmt.kind == "choice":
            codes = np.array(sorted(fmt.labels), dtype=float)
            p = np.where(codes == codes[-1], 0.1, 0.9 / max(len(codes) - 1, 1)) if len(codes) > 1 else np.ones(1)
            columns[item.id] = rng.choice(codes, size=respondents, p=p / p.sum())  # the last ("other") is rare
        elif fmt.integer:  # 1–5 agreement
            lo, hi = fmt.valid_range()
            if item.id in thick_items:
                reverse = thick_items[item.id][0]
                level = lo + (hi - lo) * r_thick
            else:
                reverse = False
                shift = factor_shift[case_of, factor_of[item.id]] if item.id in factor_of else 0.0
                level = r_success + shift + rng.normal(0.0, 0.2)
            raw = level + rng.normal(0.0, 0.7, respondents)
            values = np.clip(np.rint(raw), lo, hi)
            # The survey asked for a side of the middle unless "not relevant": most would-be 3s lean.
            middle = (lo + hi) / 2
            lean = (values == middle) & (rng.random(respondents) < 0.7)
            values = np.where(lean, np.where(raw >= middle, middle + 1, middle - 1), values)
            columns[item.id] = lo + hi - values if reverse else values
            likert.append(item.id)
        else:  # 1–100 barrier score
            lo, hi = fmt.valid_range()
            shift = barrier_shift[case_of, barrier_of[item.id]] if item.id in barrier_of else 0.0
            raw = np.clip(r_barrier + shift + rng.normal(0.0, 5.0) + rng.normal(0.0, 12.0, respondents), lo, hi)
            half = rng.random(respondents) < 0.1  # some answers with one decimal, e.g. 12.5
            values = np.where(half, np.minimum(np.floor(raw), hi - 1) + 0.5, np.rint(raw))
            columns[item.id] = np.where(rng.random(respondents) < _SHARE_BLANK_BARRIER, np.nan, values)
    for item_id in likert:  # "not relevant" 3s and skipped items
        fmt = instrument.format_of(item_id)
        three = fmt.not_applicable_code if fmt.not_applicable_code is not None else 3
        values = np.where(rng.random(respondents) < _SHARE_THREE, float(three), columns[item_id])
        columns[item_id] = np.where(rng.random(respondents) < _SHARE_SKIP_LIKERT, np.nan, values)
    if barriers:  # a few respondents leave a whole barrier block blank
        skippers = rng.choice(respondents, size=max(1, round(0.05 * respondents)), replace=False)
        for row in skippers:
            for item_id in barriers[rng.integers(len(barriers))].item_ids:
                columns[item_id][row] = np.nan

    width = max(3, len(str(respondents)))
    data = pd.DataFrame(
        {
            "respondent_id": pd.Series([f"R{i + 1:0{width}d}" for i in range(respondents)], dtype="str"),
            "case": pd.Series([chosen[c][0] for c in case_of], dtype="str"),
            "group": pd.Series(group_of, dtype="str"),
        }
    )
    items = pd.DataFrame(
        {k: v if isinstance(v, pd.Series) else pd.Series(v, dtype="float64") for k, v in columns.items()}
    )
    other_text = rng.choice(_LEADER_OTHER, size=respondents)
    leader_other = np.zeros(respondents, dtype=bool)
    if _LEADER_ITEM in items:  # the text of "other" where the leader item is its last option
        leader_other = (items[_LEADER_ITEM] == max(instrument.format_of(_LEADER_ITEM).labels)).to_numpy()
    extra = pd.DataFrame(
        {
            f"{_LEADER_ITEM}_other": pd.Series(np.where(leader_other, other_text, None), dtype="str"),
            "attr_region": pd.Series([regions[c] for c in case_of], dtype="str"),
        }
    )
    data = pd.concat([data, items, extra], axis=1)
    about = _about(seed, respondents, cases, counts)
    return DemoSurvey(data=data, about=about)


def write_demo_xlsx(survey: DemoSurvey, path: Path | str) -> None:
    """Write the survey to an Excel file: sheet ``Survey`` (the canonical data) first, then ``About``.

    Parameters
    ----------
    survey : DemoSurvey
        The generated survey.
    path : path or str
        The ``.xlsx`` file to write (overwritten if it exists).
    """
    with pd.ExcelWriter(Path(path), engine="openpyxl") as writer:
        survey.data.to_excel(writer, sheet_name="Survey", index=False)
        survey.about.to_excel(writer, sheet_name="About", index=False)


def _choose_cases(rng: np.random.Generator, cases: int) -> list[tuple[str, str, str]]:
    """Up to 12 cases from the named fictional ones; more (national-scale benchmarks) are numbered."""
    if cases <= len(_CASES):
        return [_CASES[i] for i in np.sort(rng.choice(len(_CASES), size=cases, replace=False))]
    return [(f"Samarbeid {i:04d}", f"Kommune {i:04d}", f"Virksomhet {i:04d} AS") for i in range(1, cases + 1)]


def _check_sizes(respondents: int, cases: int) -> None:
    for name, value in (("respondents", respondents), ("cases", cases)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
    if cases < 1:
        raise ValueError(f"cases must be at least 1, got {cases}")
    if cases > _MAX_CASES:
        raise ValueError(f"cases must be at most {_MAX_CASES}, got {cases}")
    if respondents < 2 * cases:
        raise ValueError(
            f"respondents must be at least 2 × cases = {2 * cases} (one per side in each case), got {respondents}"
        )


def _group_counts(respondents: int, cases: int) -> dict[str, int]:
    """Respondents per group: 11/18 municipal like the study, about 5 % ``other`` from 60 up."""
    enterprise = min(max(respondents - round(respondents * 11 / 18), cases), respondents - cases)
    municipal = respondents - enterprise
    other = min(round(0.05 * respondents), municipal - cases) if respondents >= 60 else 0
    return {MUNICIPALITY: municipal - other, SOCIAL_ENTERPRISE: enterprise, OTHER: other}


def _assign(
    rng: np.random.Generator, respondents: int, cases: int, counts: dict[str, int]
) -> tuple[np.ndarray, list[str]]:
    """Case index and group of each respondent; each case has both sides, sizes as even as possible."""
    weights = rng.uniform(0.6, 1.4, cases) if respondents >= 6 * cases else np.ones(cases)
    quota = (respondents - 2 * cases) * weights / weights.sum()
    sizes = np.floor(quota).astype(int)
    order = np.lexsort((rng.random(cases), -(quota - sizes)))
    sizes[order[: respondents - 2 * cases - sizes.sum()]] += 1
    # Fill the slots beyond one per side in proportion, so every case has about the same side mix.
    order = rng.permutation(cases)
    free = sizes.copy()
    per_group = {}
    for group, count in ((OTHER, counts[OTHER]), (SOCIAL_ENTERPRISE, counts[SOCIAL_ENTERPRISE] - cases)):
        cumulative = np.cumsum(free[order])
        share = np.diff(np.rint(cumulative * count / max(cumulative[-1], 1)).astype(int), prepend=0)
        per_group[group] = np.empty(cases, dtype=int)
        per_group[group][order] = share
        free -= per_group[group]
    case_of: list[int] = []
    group_of: list[str] = []
    for case in range(cases):
        members = (
            [MUNICIPALITY] * (1 + free[case])
            + [SOCIAL_ENTERPRISE] * (1 + per_group[SOCIAL_ENTERPRISE][case])
            + [OTHER] * per_group[OTHER][case]
        )
        case_of += [case] * len(members)
        group_of += members
    return np.array(case_of), group_of


def _free_text(rng: np.random.Generator, phrases: tuple[str, ...], size: int, share: float) -> pd.Series:
    picks = rng.choice(phrases, size=size)
    return pd.Series(np.where(rng.random(size) < share, picks, None), dtype="str")


def _about(seed: int, respondents: int, cases: int, counts: dict[str, int]) -> pd.DataFrame:
    rows = [
        ("title", "samskaping demo survey"),
        (
            "notice",
            "SYNTHETIC, fictional data for trying out the tool: no real cases, organisations or people. "
            "SYNTETISKE, oppdiktede data for å prøve verktøyet: ingen ekte caser, organisasjoner "
            "eller personer.",
        ),
        ("generator", "samskaping.demo"),
        ("version", __version__),
        ("seed", str(seed)),
        ("respondents", str(respondents)),
        ("cases", str(cases)),
        *((group, str(counts[group])) for group in _GROUP_ORDER),
        ("sheet", "The sheet 'Survey' holds the data set, one row per respondent."),
        (
            "coding",
            "Canonical form (codebook.md): choice items hold the option number (a = 1, b = 2, ...), "
            "Likert items 1-5 (3 = not relevant / neither), barrier items 1-100 (higher = bigger barrier, "
            "blank = not relevant), missing = empty cell; q01 names the case partner.",
        ),
        (
            "structure",
            "Each case has latent success, barrier and thickness levels; social-enterprise respondents "
            "lean higher on success factors and lower on barriers than municipal respondents.",
        ),
    ]
    return pd.DataFrame(rows, columns=["key", "value"], dtype="str")
