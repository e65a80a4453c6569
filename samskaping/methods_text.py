"""A paragraph for the method section of a paper, generated from the settings a report was made with.

Every number comes from the data, the codebook or the modules that apply the rule (the
anonymity threshold, the bands, the weights, the permutation and bootstrap settings), so the
paragraph says what was done, not what the defaults are. English (``en``) and Norwegian
bokmål (``nb``).
"""

from __future__ import annotations

import inspect

import pandas as pd

from samskaping.compare import compare
from samskaping.continuum import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from samskaping.errors import SamskapingError
from samskaping.report_context import ReportContext
from samskaping.statistics import ENUMERATION_LIMIT, MONTE_CARLO_LIMIT, MONTE_CARLO_RESAMPLES, cliffs_delta

__all__ = [
    "COMPARE_SEED",
    "LANGUAGES",
    "exclusion_counts",
    "mann_whitney_summary",
    "methods_paragraph",
    "parameter_default",
]

LANGUAGES = ("en", "nb")

_TEXTS = {
    "en": {
        "sample": "The survey had {items} questions: part 1 maps how the collaboration works, part 2 scores the "
        "{factors} success factors for collaboration of Mattessich et al. (2001), grouped in {categories} categories, "
        "and part 3 scores {barriers} collaboration barriers (Hansen). {n} respondents in {cases} cases answered "
        "({groups}).",
        "scoring": "A respondent's score on a factor, barrier or continuum sub-index is the mean of the answered "
        "items, missing when fewer than half of them are answered; {reversed}. A category is the mean of its "
        "factors by the same rule.",
        "reversed": "{items} are reverse-coded",
        "no_reversed": "no item is reverse-coded",
        "three_on": "Because respondents were asked to choose 3 when an item did not apply, answers of 3 on the 1–5 "
        "items were treated as missing.",
        "three_off": "Answers of 3 on the 1–5 items were kept as the scale midpoint (they may also mean "
        "'not relevant').",
        "bands": "Factor and category means are read with the Wilder bands (strength ≥ {strong}, borderline "
        "{border}–{below}, concern < {border}); barrier means are placed in quartiles of the respondent scores of "
        "this data set (a mean on a cut point goes to the lower quartile).",
        "anonymity": "To keep the anonymity promised to respondents, every figure computed from fewer than k = {k} "
        "respondents is suppressed (its n is shown); when one side of a case is suppressed, the other side is "
        "suppressed too, so that it cannot be derived by subtraction; minimum and maximum are given only where at "
        "least {minmax} respondents have a score; and free-text answers are shown only for cases with at least {k} "
        "respondents.",
        "compare": "Groups were compared with the Mann–Whitney U test using the permutation distribution of U for the "
        "actual data, ties included ({mw}), with Holm and Benjamini–Hochberg adjustment within each family of "
        "measures (factors, categories, barriers, continuum); the effect sizes are the rank-biserial correlation "
        "(Cliff's delta) with Cliff's {confidence} % consistent-variance interval, and the Hodges–Lehmann shift.",
        "mw": "exact enumeration when there are at most {limit} splits, otherwise a Monte Carlo estimate from "
        "{resamples} resamples up to {mc_limit} respondents and the tie-corrected normal approximation beyond",
        "continuum": "Each case was placed on the continuum from thin to thick co-creation by a thickness index "
        "(0–100) = {formula}, averaged over the case's respondents, with a 95 % bootstrap percentile interval "
        "(B = {b}, seed {seed}).",
        "codebook_default": "The study's default codebook was used.",
        "codebook_changed": "The codebook was changed from the study's default; the codebook used is given with the "
        "results.",
        "no_exclusions": "No respondents or cases were excluded.",
        "exclusions": "The researchers excluded {respondents} respondent(s) and {cases} case(s), removing {removed} "
        "respondent(s) from the analysis; every exclusion is listed with its reason.",
        "software": "The analysis was made with samskaping version {version}.",
        "group_names": {
            "municipality": "from municipalities",
            "social_enterprise": "from social enterprises",
            "other": "other",
        },
        "and": "and",
        "none_answered": "none",
    },
    "nb": {
        "sample": "Spørreskjemaet hadde {items} spørsmål: del 1 kartlegger hvordan samarbeidet fungerer, del 2 måler "
        "de {factors} suksessfaktorene for samarbeid fra Mattessich mfl. (2001), samlet i {categories} kategorier, og "
        "del 3 måler {barriers} samarbeidsbarrierer (Hansen). {n} respondenter i {cases} case svarte ({groups}).",
        "scoring": "En respondents skår på en faktor, barriere eller delindeks for kontinuumet er gjennomsnittet av "
        "de besvarte spørsmålene, og mangler når færre enn halvparten er besvart; {reversed}. En kategori er "
        "gjennomsnittet av faktorene sine etter samme regel.",
        "reversed": "{items} er snudd (reversert koding)",
        "no_reversed": "ingen spørsmål er snudd",
        "three_on": "Fordi respondentene ble bedt om å velge 3 når et spørsmål ikke var relevant, ble svaret 3 på "
        "1–5-spørsmålene behandlet som manglende.",
        "three_off": "Svaret 3 på 1–5-spørsmålene ble beholdt som skalaens midtpunkt (det kan også bety "
        "«ikke relevant»).",
        "bands": "Gjennomsnitt for faktorer og kategorier leses med Wilder-båndene (styrke ≥ {strong}, grensetilfelle "
        "{border}–{below}, bekymring < {border}); gjennomsnitt for barrierer plasseres i kvartiler av "
        "respondentskårene i dette datasettet (et gjennomsnitt på et skjæringspunkt går til den laveste kvartilen).",
        "anonymity": "For å holde anonymitetsløftet til respondentene er alle tall beregnet fra færre enn k = {k} "
        "respondenter skjult (n vises); når én side av et case er skjult, skjules også den andre siden, så den ikke "
        "kan regnes ut ved subtraksjon; minimum og maksimum vises bare der minst {minmax} respondenter har en skår; og "
        "fritekstsvar vises bare for case med minst {k} respondenter.",
        "compare": "Grupper ble sammenlignet med Mann–Whitney U-testen med permutasjonsfordelingen av U for de "
        "faktiske dataene, med like verdier ({mw}), med Holm- og Benjamini–Hochberg-justering innen hver familie av "
        "mål (faktorer, kategorier, barrierer, kontinuum); effektstørrelsene er rang-biserial korrelasjon (Cliffs "
        "delta) med Cliffs {confidence} % konsistent-varians-intervall, og Hodges–Lehmann-forskyvningen.",
        "mw": "eksakt opptelling når det er høyst {limit} mulige delinger, ellers et Monte Carlo-estimat fra "
        "{resamples} trekninger opp til {mc_limit} respondenter og normaltilnærmingen med korreksjon for like verdier "
        "ut over det",
        "continuum": "Hvert case ble plassert på kontinuumet fra tynn til tykk samskaping med en tykkelsesindeks "
        "(0–100) = {formula}, gjennomsnittet over respondentene i caset, med et 95 % bootstrap-persentilintervall "
        "(B = {b}, frø {seed}).",
        "codebook_default": "Studiens standard kodebok ble brukt.",
        "codebook_changed": "Kodeboken ble endret fra studiens standard; kodeboken som ble brukt, følger resultatene.",
        "no_exclusions": "Ingen respondenter eller case ble utelatt.",
        "exclusions": "Forskerne utelot {respondents} respondent(er) og {cases} case, som fjernet {removed} "
        "respondent(er) fra analysen; hver utelatelse er listet med begrunnelse.",
        "software": "Analysen ble gjort med samskaping versjon {version}.",
        "group_names": {
            "municipality": "fra kommuner",
            "social_enterprise": "fra sosiale virksomheter",
            "other": "andre",
        },
        "and": "og",
        "none_answered": "ingen",
    },
}


def parameter_default(function, name: str):
    """The default value of a function's keyword parameter (e.g. the seed ``compare`` uses)."""
    return inspect.signature(function).parameters[name].default


# The comparisons of a report use compare()'s own seed (Monte Carlo p only); the settings sheet shows it.
COMPARE_SEED = parameter_default(compare, "seed")


def _number(value: float, lang: str, decimals: int | None = None) -> str:
    """A number for running text: thousands grouped; in Norwegian a decimal comma and space grouping."""
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:g}"
    return text.replace(",", " ").replace(".", ",") if lang == "nb" else text


def _join(parts: list[str], lang: str) -> str:
    """'a, b and c' (en) / 'a, b og c' (nb)."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {_TEXTS[lang]['and']} {parts[-1]}"


def mann_whitney_summary(lang: str) -> str:
    """How the Mann–Whitney p-values are made (enumeration, Monte Carlo, normal), with the limits in use."""
    texts = _TEXTS[_check(lang)]
    return texts["mw"].format(
        limit=_number(ENUMERATION_LIMIT, lang),
        resamples=_number(MONTE_CARLO_RESAMPLES, lang),
        mc_limit=_number(MONTE_CARLO_LIMIT, lang),
    )


def exclusion_counts(exclusions: pd.DataFrame) -> tuple[int, int, int]:
    """Respondent exclusions, case exclusions and respondents removed in total, from an exclusions table.

    ``removed`` is summed when the table has it (:func:`samskaping.workspace.apply_exclusions`);
    otherwise each respondent exclusion counts as one removed respondent.
    """
    kinds = exclusions["kind"].astype("str") if "kind" in exclusions else pd.Series(dtype="str")
    respondents, cases = int((kinds == "respondent").sum()), int((kinds == "case").sum())
    if "removed" in exclusions:
        removed = int(pd.to_numeric(exclusions["removed"], errors="coerce").fillna(0).sum())
    else:
        removed = respondents
    return respondents, cases, removed


def methods_paragraph(context: ReportContext, lang: str) -> str:
    """The method section's paragraph for the report made from ``context``, in ``lang`` (en or nb).

    Raises
    ------
    SamskapingError
        For a language other than en or nb.
    """
    texts = _TEXTS[_check(lang)]
    codebook, data, thresholds = context.codebook, context.validated.data, context.codebook.thresholds
    groups = data["group"].value_counts()
    group_text = _join(
        [f"{int(groups[g])} {texts['group_names'].get(g, g)}" for g in texts["group_names"] if g in groups.index],
        lang,
    )
    reversed_items = [ref.item.upper() for m in codebook.measures for ref in m.items if ref.reverse]
    reversed_items = sorted(dict.fromkeys(reversed_items))
    subindices = codebook.family("subindex")
    formula = " + ".join(f"{_number(m.weight or 0.0, lang)} · {m.name.get(lang).lower()}" for m in subindices)
    confidence = parameter_default(cliffs_delta, "confidence") * 100
    respondents, cases, removed = exclusion_counts(context.exclusions)
    sentences = [
        texts["sample"].format(
            items=len(context.instrument.items),
            factors=len(codebook.family("factor")),
            categories=len(codebook.family("category")),
            barriers=len(codebook.family("barrier")),
            n=len(data),
            cases=data["case"].nunique(),
            groups=group_text or texts["none_answered"],
        ),
        texts["scoring"].format(
            reversed=texts["reversed"].format(items=_join(reversed_items, lang))
            if reversed_items
            else texts["no_reversed"]
        ),
        texts["three_on"] if context.scores.three_as_missing else texts["three_off"],
        texts["bands"].format(
            strong=_number(thresholds.band_strength, lang, 1),
            border=_number(thresholds.band_borderline, lang, 1),
            below=_number(thresholds.band_strength - 0.01, lang, 2),
        ),
        texts["anonymity"].format(k=context.k, minmax=max(context.k, thresholds.min_max_n)),
        texts["compare"].format(mw=mann_whitney_summary(lang), confidence=_number(confidence, lang)),
        texts["continuum"].format(formula=formula, b=_number(BOOTSTRAP_RESAMPLES, lang), seed=BOOTSTRAP_SEED),
        texts["codebook_changed"] if context.codebook_changed else texts["codebook_default"],
        texts["exclusions"].format(respondents=respondents, cases=cases, removed=removed)
        if respondents or cases
        else texts["no_exclusions"],
        texts["software"].format(version=context.version),
    ]
    return " ".join(sentences)


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise SamskapingError(f"language must be one of {', '.join(LANGUAGES)}, got '{lang}'")
    return lang
