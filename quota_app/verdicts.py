"""What a department's verdict says: the answer its half-yearly report opens with, and the three lines its
mail starts with. The same sentences everywhere: in the PDF (Danish, `str()`), in the report's HTML twin and
in the mail (the reader's language, `localized`). The figures are the report's (`reports.verdict`, from the
counting package), here only put into words; a level is always named in words, colour only repeats it.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, Protocol

from .formatting import Decimal, Percent
from .levels import LEVEL_WORDS, gap_words
from .texts import N_, Joined, Text


# Read-only members (properties), so the report's frozen dataclasses match.
class BehindFigures(Protocol):
    @property
    def type_name(self) -> str: ...
    @property
    def fulfilment_pct(self) -> float: ...
    @property
    def short(self) -> float: ...


class VerdictFigures(Protocol):
    @property
    def level(self) -> str: ...
    @property
    def fulfilment_pct(self) -> float | None: ...
    @property
    def counted(self) -> float: ...
    @property
    def target(self) -> int | None: ...
    @property
    def short(self) -> float | None: ...
    @property
    def behind(self) -> Sequence[BehindFigures]: ...


def _names(names: Sequence[str]) -> Text | str:
    if len(names) < 2:
        return names[0] if names else ""
    return N_("%(first)s og %(last)s", first=Joined(names[:-1], ", "), last=names[-1])


def result(verdict: VerdictFigures) -> Text:
    """Met or not, the fulfilment and how many places short, after the level's word."""
    level = LEVEL_WORDS[verdict.level]
    counted = Decimal(verdict.counted)
    if verdict.target is None or verdict.fulfilment_pct is None:
        return N_(
            "%(level)s: forvaltningen har intet måltal for perioden (%(counted)s talt med).",
            level=level,
            counted=counted,
        )
    figures = {
        "level": level,
        "pct": Percent(verdict.fulfilment_pct),
        "counted": counted,
        "target": Decimal(verdict.target),
    }
    if verdict.level == "at":
        return N_(
            "%(level)s: %(pct)s af måltallet – målet er nået: %(counted)s talt med mod måltal %(target)s.",
            **figures,
        )
    return N_(
        "%(level)s: %(pct)s af måltallet – målet er ikke nået: %(counted)s talt med mod måltal "
        "%(target)s, der mangler %(short)s.",
        short=Decimal(verdict.short or 0),
        **figures,
    )


def behind(verdict: VerdictFigures) -> Text:
    """The types furthest behind their targets."""
    if not verdict.behind:
        return N_("Ingen ordning med måltal er bagud.")
    return N_(
        "Længst fra målet: %(types)s.",
        types=Joined(
            [
                N_(
                    "%(type)s %(pct)s (%(gap)s)",
                    type=b.type_name,
                    pct=Percent(b.fulfilment_pct),
                    gap=gap_words(b.short),
                )
                for b in verdict.behind
            ],
            ", ",
        ),
    )


def ask(verdict: VerdictFigures) -> Text:
    """What the department is asked to do."""
    if verdict.target is None or verdict.fulfilment_pct is None:
        return N_("Forvaltningen bedes ikke om noget: der er intet måltal at nå.")
    if verdict.level == "at":
        return N_("Forvaltningen bedes holde niveauet og besætte åbne pladser hurtigt.")
    if verdict.behind:
        return N_(
            "Forvaltningen bedes besætte eller oprette flere pladser, så måltallet nås, først og fremmest "
            "inden for %(types)s.",
            types=_names([b.type_name for b in verdict.behind]),
        )
    return N_("Forvaltningen bedes besætte eller oprette flere pladser, så måltallet nås.")


def lines(verdict: VerdictFigures) -> tuple[Text, Text, Text]:
    """The verdict in three lines: the result, the types furthest behind, what the department is asked."""
    return result(verdict), behind(verdict), ask(verdict)


def verdict_figures(kept: dict[str, Any] | None) -> VerdictFigures | None:
    """A verdict kept as JSON (an archived report's data, `reports.stored`), or None when there is none."""
    if not kept:
        return None
    behind = [SimpleNamespace(**b) for b in kept.get("behind", ())]
    return SimpleNamespace(**{**kept, "behind": behind})
