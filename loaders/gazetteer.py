"""The gazetteer: agencies, sectors and places known to policy-kg.

Takes: the three vocabulary files ``agencies.yaml``, ``sectors.yaml`` and ``places.yaml`` (default
folder: ``data/vocab`` under the repository root; any other folder can be given).
Gives: ``load_gazetteer(vocab_dir=None) -> Gazetteer`` (cached per folder), with typed frozen
entries ``AgencyEntry``, ``SectorEntry``, ``PlaceEntry`` and the look-ups other stages use:

    Gazetteer.resolve_agency(written) -> AgencyEntry | None   exact match of a written name
    Gazetteer.agency_id(written) -> str                        "agency:<canonical or cleaned name>"
    Gazetteer.sector(id) / .place(id) / .resolve_place(written)
    Gazetteer.sector_ancestors(sector_id) -> list[str]         broader ids, nearest first

A malformed file raises ``GazetteerError`` naming the file and the entry and, where a value is
restricted, listing the valid values. All knowledge lives in the YAML files; this module only
knows generic naming conventions (the 上海市 prefix, 人民政府/政府).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from loaders import yamlio

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VOCAB_DIR = REPO_ROOT / "data" / "vocab"

AGENCY_FILE = "agencies.yaml"
SECTOR_FILE = "sectors.yaml"
PLACE_FILE = "places.yaml"

AGENCY_KINDS = (
    "municipal_commission",
    "municipal_bureau",
    "municipal_office",
    "district_government",
    "central_branch",
    "party_organ",
    "group",
    "institution",
    "state_council_body",
    "other",
)
PLACE_KINDS = ("park", "zone", "new_town", "district", "area", "hub", "street")

AGENCY_ID_PREFIX = "agency:"
PLACE_ID_PREFIX = "place:"

# Generic naming conventions of Shanghai documents (not knowledge about particular units).
CITY_PREFIX = "上海市"
CITY_SHORT = "市"
PEOPLES_GOVERNMENT = "人民政府"
GOVERNMENT = "政府"

_SPACE_RE = re.compile(r"\s+")
# Punctuation that may surround a written name in a list or a clause.
_EDGE_PUNCT = "　 \t\r\n()（）[]【】《》<>〈〉«»“”\"'‘’「」:：,，、;；.。!！?？·-—_*"
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class GazetteerError(ValueError):
    """A vocabulary file is malformed. Names the file and, when there is one, the entry."""

    def __init__(self, file: str, message: str, entry: Optional[str] = None):
        self.file = file
        self.entry = entry
        self.message = message
        where = f"{file}: entry {entry}" if entry else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class AgencyEntry:
    id: str  # "agency:<name>"
    name: str  # canonical short name, e.g. 市经济信息化委
    full_name: str  # e.g. 上海市经济和信息化委员会
    kind: str  # one of AGENCY_KINDS
    aliases: tuple[str, ...]  # every other written form (clause-only ones included)
    clause_only_aliases: tuple[str, ...] = ()  # valid in responsibility lists, not in running text
    note: str = ""

    @property
    def written_forms(self) -> tuple[str, ...]:
        """Name, full name and aliases, without duplicates, in that order."""
        return tuple(dict.fromkeys((self.name, self.full_name, *self.aliases)))


@dataclass(frozen=True)
class SectorEntry:
    id: str  # ASCII slug
    name: str
    name_en: str
    broader: Optional[str]  # parent sector id
    synonyms: tuple[str, ...]
    level: int  # 1 for a root, 2 for its children, ...

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrases that indicate this sector in text: the name and the synonyms."""
        return tuple(dict.fromkeys((self.name, *self.synonyms)))


@dataclass(frozen=True)
class PlaceEntry:
    id: str  # ASCII slug from places.yaml, or "place:<name>" for an uncatalogued place
    name: str
    kind: str  # one of PLACE_KINDS
    district: Optional[str]
    aliases: tuple[str, ...]
    within: Optional[str]  # parent place id
    members: tuple[str, ...] = ()  # member place ids of a group name (五个新城)
    sectors: tuple[str, ...] = ()  # sector ids the place is known for

    @property
    def written_forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, *self.aliases)))

    @property
    def is_group(self) -> bool:
        return bool(self.members)


def clean_name(written: str) -> str:
    """A written name without whitespace/line breaks and without surrounding punctuation."""
    return _SPACE_RE.sub("", written).strip(_EDGE_PUNCT)


def clean_place_name(written: str) -> str:
    """``clean_name`` keeping a closing bracket that closes one inside the name (国家会展中心（上海）)."""
    name = clean_name(written)
    compact = _SPACE_RE.sub("", written).rstrip()
    for open_, close in (("（", "）"), ("(", ")")):
        if name.count(open_) > name.count(close) and compact.startswith(name) and compact[len(name):].startswith(close):
            return name + close
    return name


def derived_agency_forms(form: str, strip_city: bool = False) -> list[str]:
    """Conventional variants of a written agency name.

    市X <-> 上海市X, and 人民政府 <-> 政府 at the end of a name (浦东新区人民政府 / 浦东新区政府).
    With ``strip_city`` also 上海市X -> X (浦东新区政府 from 上海市浦东新区政府); that form is only
    used to look up a written name, never as a phrase of its own.
    """
    bases = [form]
    if form.startswith(CITY_PREFIX):
        bases.append(CITY_SHORT + form[len(CITY_PREFIX):])
        if strip_city:
            bases.append(form[len(CITY_PREFIX):])
    elif form.startswith(CITY_SHORT):
        bases.append("上海" + form)
    out: list[str] = []
    for base in bases:
        out.append(base)
        if base.endswith(PEOPLES_GOVERNMENT):
            out.append(base[: -len(PEOPLES_GOVERNMENT)] + GOVERNMENT)
        elif base.endswith(GOVERNMENT):
            out.append(base[: -len(GOVERNMENT)] + PEOPLES_GOVERNMENT)
    return [f for f in dict.fromkeys(out) if len(f) >= 2 and f != form]


class Gazetteer:
    """Agencies, sectors and places, with the name look-ups the loader stages use."""

    def __init__(
        self,
        agencies: Iterable[AgencyEntry],
        sectors: Iterable[SectorEntry],
        places: Iterable[PlaceEntry],
        vocab_dir: Optional[Path] = None,
    ):
        self.vocab_dir = vocab_dir
        self.agencies: tuple[AgencyEntry, ...] = tuple(agencies)
        self.sectors: tuple[SectorEntry, ...] = tuple(sectors)
        self.places: tuple[PlaceEntry, ...] = tuple(places)
        self._agency_by_form: dict[str, AgencyEntry] = {}
        self._agency_explicit: dict[str, AgencyEntry] = {}
        for agency in self.agencies:
            for form in agency.written_forms:
                self._agency_explicit[form] = agency
        self._agency_by_form.update(self._agency_explicit)
        for agency in self.agencies:  # derived variants never override an explicit form
            for form in agency.written_forms:
                for variant in derived_agency_forms(form):
                    self._agency_by_form.setdefault(variant, agency)
        self._sector_by_id = {s.id: s for s in self.sectors}
        self._place_by_id = {p.id: p for p in self.places}
        self._place_by_form: dict[str, PlaceEntry] = {}
        for place in self.places:
            for form in place.written_forms:
                self._place_by_form.setdefault(form, place)

    # -------------------------------------------------------------- agencies
    def resolve_agency(self, written: str) -> Optional[AgencyEntry]:
        """The catalogued agency a written name denotes, or None. Exact matching only."""
        cleaned = clean_name(written)
        if not cleaned:
            return None
        found = self._agency_by_form.get(cleaned)
        if found is not None:
            return found
        for variant in derived_agency_forms(cleaned, strip_city=True):
            found = self._agency_by_form.get(variant)
            if found is not None:
                return found
        return None

    def agency_id(self, written: str) -> str:
        """Stable node id: ``agency:<canonical name>``, or ``agency:<cleaned name>`` if uncatalogued."""
        agency = self.resolve_agency(written)
        return agency.id if agency is not None else AGENCY_ID_PREFIX + clean_name(written)

    def agency_forms(self) -> dict[str, AgencyEntry]:
        """Every written form the gazetteer accepts (explicit and derived) -> agency."""
        return dict(self._agency_by_form)

    # -------------------------------------------------------------- sectors
    def sector(self, sector_id: str) -> SectorEntry:
        try:
            return self._sector_by_id[sector_id]
        except KeyError:
            raise KeyError(
                f"Unknown sector id {sector_id!r}. Available ids: {', '.join(sorted(self._sector_by_id))}"
            ) from None

    def sector_ancestors(self, sector_id: str) -> list[str]:
        """Broader sector ids of a sector, nearest first (empty for a root)."""
        out: list[str] = []
        current = self.sector(sector_id).broader
        while current is not None:
            out.append(current)
            current = self._sector_by_id[current].broader
        return out

    def sector_children(self, sector_id: str) -> list[str]:
        self.sector(sector_id)
        return [s.id for s in self.sectors if s.broader == sector_id]

    # -------------------------------------------------------------- places
    def place(self, place_id: str) -> PlaceEntry:
        try:
            return self._place_by_id[place_id]
        except KeyError:
            raise KeyError(
                f"Unknown place id {place_id!r}. Available ids: {', '.join(sorted(self._place_by_id))}"
            ) from None

    def resolve_place(self, written: str) -> Optional[PlaceEntry]:
        """The catalogued place a written name denotes (name or alias), or None."""
        return self._place_by_form.get(clean_place_name(written))

    def place_forms(self) -> dict[str, PlaceEntry]:
        return dict(self._place_by_form)


# ------------------------------------------------------------------ loading and validation


def _read_yaml(path: Path, key: str) -> list[Any]:
    name = path.name
    if not path.is_file():
        raise GazetteerError(name, f"file not found: {path}")
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GazetteerError(name, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict) or key not in data:
        raise GazetteerError(name, f"expected a mapping with the key {key!r} holding a list of entries")
    entries = data[key]
    if not isinstance(entries, list):
        raise GazetteerError(name, f"{key!r} must be a list of entries, not {type(entries).__name__}")
    return entries


def _label(index: int, raw: Any, field: str = "name") -> str:
    value = raw.get(field) if isinstance(raw, dict) else None
    return f"#{index + 1} ({value})" if value else f"#{index + 1}"


def _text(file: str, entry: str, raw: dict, field: str, required: bool = True) -> Optional[str]:
    value = raw.get(field)
    if value is None:
        if required:
            raise GazetteerError(file, f"missing required field {field!r}", entry)
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        raise GazetteerError(file, f"field {field!r} must be a non-empty string, got {value!r}", entry)
    return str(value).strip()


def _new_id(file: str, entry: str, raw: dict, seen: dict[str, str]) -> str:
    """The entry's ``id``: an ASCII slug not used by an earlier entry (recorded in ``seen``)."""
    entry_id = _text(file, entry, raw, "id")
    if not _SLUG_RE.match(entry_id):
        raise GazetteerError(file, f"id {entry_id!r} must be an ASCII slug ([a-z0-9_])", entry)
    if entry_id in seen:
        raise GazetteerError(file, f"duplicate id {entry_id!r}", entry)
    seen[entry_id] = entry
    return entry_id


def _text_list(file: str, entry: str, raw: dict, field: str) -> tuple[str, ...]:
    value = raw.get(field)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise GazetteerError(file, f"field {field!r} must be a list, got {value!r}", entry)
    out = []
    for item in value:
        if not isinstance(item, (str, int)) or isinstance(item, bool) or not str(item).strip():
            raise GazetteerError(file, f"field {field!r} holds an invalid value {item!r}", entry)
        out.append(str(item).strip())
    return tuple(dict.fromkeys(out))


def _check_fields(file: str, entry: str, raw: Any, allowed: tuple[str, ...]) -> dict:
    if not isinstance(raw, dict):
        raise GazetteerError(file, f"an entry must be a mapping, got {raw!r}", entry)
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise GazetteerError(
            file, f"unknown field(s) {', '.join(unknown)}. Valid fields: {', '.join(allowed)}", entry
        )
    return raw


def _check_kind(file: str, entry: str, kind: str, valid: tuple[str, ...]) -> None:
    if kind not in valid:
        raise GazetteerError(file, f"unknown kind {kind!r}. Valid kinds: {', '.join(valid)}", entry)


def load_agencies(path: Path) -> list[AgencyEntry]:
    file = path.name
    fields = ("name", "full_name", "aliases", "kind", "note", "clause_only_aliases")
    agencies: list[AgencyEntry] = []
    owner: dict[str, str] = {}  # written form -> canonical name
    for i, raw in enumerate(_read_yaml(path, "agencies")):
        entry = _label(i, raw)
        raw = _check_fields(file, entry, raw, fields)
        name = clean_name(_text(file, entry, raw, "name"))
        full_name = clean_name(_text(file, entry, raw, "full_name"))
        kind = _text(file, entry, raw, "kind")
        _check_kind(file, entry, kind, AGENCY_KINDS)
        aliases = tuple(clean_name(a) for a in _text_list(file, entry, raw, "aliases"))
        clause_only = tuple(clean_name(a) for a in _text_list(file, entry, raw, "clause_only_aliases"))
        aliases = tuple(dict.fromkeys(aliases + clause_only))
        agency = AgencyEntry(
            id=AGENCY_ID_PREFIX + name,
            name=name,
            full_name=full_name,
            kind=kind,
            aliases=tuple(a for a in aliases if a not in (name, full_name)),
            clause_only_aliases=clause_only,
            note=_text(file, entry, raw, "note", required=False) or "",
        )
        for form in agency.written_forms:
            other = owner.get(form)
            if other is not None and other != name:
                raise GazetteerError(
                    file,
                    f"{form!r} is already a name or alias of agency {other!r}; "
                    "a written form may denote one agency only",
                    entry,
                )
            owner[form] = name
        agencies.append(agency)
    return agencies


def load_sectors(path: Path) -> list[SectorEntry]:
    file = path.name
    fields = ("id", "name", "name_en", "broader", "synonyms")
    raw_entries: list[tuple[str, dict]] = []
    ids: dict[str, str] = {}
    phrase_owner: dict[str, str] = {}
    for i, raw in enumerate(_read_yaml(path, "sectors")):
        entry = _label(i, raw, "id")
        raw = _check_fields(file, entry, raw, fields)
        _new_id(file, entry, raw, ids)
        raw_entries.append((entry, raw))
    sectors_raw = {}
    for entry, raw in raw_entries:
        sector_id = str(raw["id"]).strip()
        name = clean_name(_text(file, entry, raw, "name"))
        broader = _text(file, entry, raw, "broader", required=False)
        if broader is not None and broader not in ids:
            raise GazetteerError(
                file, f"broader {broader!r} is not a sector id. Valid ids: {', '.join(sorted(ids))}", entry
            )
        synonyms = tuple(clean_name(s) for s in _text_list(file, entry, raw, "synonyms"))
        for phrase in dict.fromkeys((name, *synonyms)):
            other = phrase_owner.get(phrase)
            if other is not None and other != sector_id:
                raise GazetteerError(
                    file, f"phrase {phrase!r} already indicates sector {other!r}; a phrase may belong to one sector only", entry
                )
            phrase_owner[phrase] = sector_id
        sectors_raw[sector_id] = (entry, name, _text(file, entry, raw, "name_en", required=False) or "", broader,
                                  tuple(s for s in synonyms if s != name))

    def level(sector_id: str) -> int:
        seen = [sector_id]
        current = sectors_raw[sector_id][3]
        while current is not None:
            if current in seen:
                raise GazetteerError(file, f"broader links form a cycle: {' -> '.join(seen + [current])}",
                                     sectors_raw[sector_id][0])
            seen.append(current)
            current = sectors_raw[current][3]
        return len(seen)

    return [
        SectorEntry(id=sid, name=name, name_en=name_en, broader=broader, synonyms=synonyms, level=level(sid))
        for sid, (_entry, name, name_en, broader, synonyms) in sectors_raw.items()
    ]


def load_places(path: Path, sector_ids: Iterable[str]) -> list[PlaceEntry]:
    file = path.name
    fields = ("id", "name", "kind", "district", "aliases", "within", "members", "sectors")
    sector_ids = set(sector_ids)
    places: list[PlaceEntry] = []
    owner: dict[str, str] = {}
    labels: dict[str, str] = {}
    for i, raw in enumerate(_read_yaml(path, "places")):
        entry = _label(i, raw, "id")
        raw = _check_fields(file, entry, raw, fields)
        place_id = _new_id(file, entry, raw, labels)
        kind = _text(file, entry, raw, "kind")
        _check_kind(file, entry, kind, PLACE_KINDS)
        name = clean_place_name(_text(file, entry, raw, "name"))
        aliases = tuple(clean_place_name(a) for a in _text_list(file, entry, raw, "aliases"))
        sectors = _text_list(file, entry, raw, "sectors")
        for sector_id in sectors:
            if sector_id not in sector_ids:
                raise GazetteerError(file, f"unknown sector id {sector_id!r} (see {SECTOR_FILE})", entry)
        place = PlaceEntry(
            id=place_id,
            name=name,
            kind=kind,
            district=_text(file, entry, raw, "district", required=False),
            aliases=tuple(a for a in aliases if a != name),
            within=_text(file, entry, raw, "within", required=False),
            members=_text_list(file, entry, raw, "members"),
            sectors=sectors,
        )
        for form in place.written_forms:
            other = owner.get(form)
            if other is not None and other != place_id:
                raise GazetteerError(file, f"{form!r} is already a name or alias of place {other!r}", entry)
            owner[form] = place_id
        places.append(place)
    districts = {p.name for p in places if p.kind == "district"}
    for place in places:
        entry = labels[place.id]
        for ref in ((place.within,) if place.within else ()) + place.members:
            if ref not in labels:
                raise GazetteerError(file, f"refers to unknown place id {ref!r}", entry)
        if place.district is not None and place.district not in districts:
            raise GazetteerError(
                file, f"district {place.district!r} is not a district name. Valid: {', '.join(sorted(districts))}", entry
            )
    return places


def load_gazetteer(vocab_dir: Path | str | None = None) -> Gazetteer:
    """Load (once per folder) the gazetteer from ``vocab_dir`` (default ``data/vocab``)."""
    folder = Path(vocab_dir) if vocab_dir is not None else DEFAULT_VOCAB_DIR
    return _load_cached(str(folder.resolve()))


@lru_cache(maxsize=8)
def _load_cached(folder: str) -> Gazetteer:
    path = Path(folder)
    sectors = load_sectors(path / SECTOR_FILE)
    return Gazetteer(
        agencies=load_agencies(path / AGENCY_FILE),
        sectors=sectors,
        places=load_places(path / PLACE_FILE, (s.id for s in sectors)),
        vocab_dir=path,
    )
