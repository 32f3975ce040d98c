"""The words for the app's codes, one copy for every package: a place's statuses, how a placement type is
counted, and a placement type's name, in Danish (the msgid, `N_`) and English (the catalogue).

- `STATUS_NAMES`: inside a sentence and in files ("åben", "besat", "i bero", "nedlagt"), also what the place
  import accepts and the exports write.
- `STATUS_LABELS`: a label on its own, a column heading, a badge ("Åben", "Besat", "I bero", "Nedlagt").
- `MEASURE_NAMES`: how a type is counted: "bestand" (places held on a day) or "tilgang" (courses started).
- `MEASURE_NOTES`: the note beside a flow type's name ("forløb": it counts courses started, not places).
- `type_name(t)`: a placement type's stored names (`name_da`, `name_en`) as one text in the reader's language.

Web pages use the Jinja filters `status_label`, `status_name`, `measure_name`, `measure_note` and `type_name`
(quota_app.web; the mail's templates have the same); mail and
services pass these texts as message parameters. No Flask.
"""

from __future__ import annotations

from typing import Protocol

from .texts import N_, ByLanguage, Text

STATUS_NAMES: dict[str, Text] = {
    "open": N_("åben"),
    "filled": N_("besat"),
    "paused": N_("i bero"),
    "closed": N_("nedlagt"),
}
STATUS_LABELS: dict[str, Text] = {
    "open": N_("Åben"),
    "filled": N_("Besat"),
    "paused": N_("I bero"),
    "closed": N_("Nedlagt"),
}
MEASURE_NAMES: dict[str, Text] = {"stock": N_("bestand"), "flow": N_("tilgang")}
MEASURE_NOTES: dict[str, Text] = {"flow": N_("forløb")}


class NamedType(Protocol):
    name_da: str
    name_en: str


def status_name(status: str | None) -> str:
    """The word for a status code inside a sentence (a Text, translated where it is shown); an unknown
    code as it is."""
    return STATUS_NAMES.get(status or "", status or "")


def status_label(status: str | None) -> str:
    """The word for a status code on its own (a heading, a badge); an unknown code as it is."""
    return STATUS_LABELS.get(status or "", status or "")


def measure_name(measure: str | None) -> str:
    """How a type is counted, in a word ("bestand", "tilgang"); an unknown code as it is."""
    return MEASURE_NAMES.get(measure or "", measure or "")


def measure_note(measure: str | None) -> str:
    """The note beside a type's name ("forløb" for a flow type), or "" when there is none."""
    return MEASURE_NOTES.get(measure or "", "")


def type_name(placement_type: NamedType) -> Text:
    """A placement type's name in each language it is stored in."""
    return ByLanguage(da=placement_type.name_da, en=placement_type.name_en or placement_type.name_da)
