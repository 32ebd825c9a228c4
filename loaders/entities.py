"""The entity layer: sectors, places and agencies named in normalized text.

Takes: a ``Gazetteer`` (loaders.gazetteer) once, then any number of normalized texts (a whole
document or, cheaper, one measure at a time).
Gives: ``EntityMatcher(gazetteer)`` with

    find_sectors(text)  -> list[EntityMatch]   kind "sector", longest match wins, no overlaps
    find_places(text)   -> list[PlaceMatch]    catalogued places and group names (五个新城, with
                                               members), uncatalogued places found by naming
                                               convention (catalogued=False, id "place:<name>"),
                                               and the sectors each mention is tied to in the text
    find_agencies(text) -> list[EntityMatch]   agency names in running text

Offsets are into the text given (the caller maps them to source spans).

How: one blank Chinese spaCy pipeline with per-character segmentation and one ``PhraseMatcher``
holding every phrase of the three vocabularies, built once. A text is matched once (the result is
cached for the three ``find_*`` calls on the same text); overlaps are resolved across kinds,
longest first, so 浦东新区政府 is an agency and not the place 浦东新区, and 人工智能岛 is a place and
not the sector 人工智能. Whitespace is skipped (as the spaCy character segmenter does), so a phrase
also matches across a stray space (金桥5G 生态园).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple, Optional

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from loaders.gazetteer import PLACE_ID_PREFIX, Gazetteer, PlaceEntry

SECTOR, PLACE, AGENCY = "sector", "place", "agency"
# "trie": one compiled regular expression over all phrases (fast; finds the longest phrase at
# each position). "spacy": the PhraseMatcher on a per-character Doc (every phrase at every
# position; ~10x slower on long texts). Both feed the same longest-first overlap resolution.
ENGINES = ("trie", "spacy")
_KIND_PRIORITY = {PLACE: 0, AGENCY: 1, SECTOR: 2}  # on an exact tie of span

# Generic conventions (not knowledge about particular entities):
# a running-text agency mention needs at least this many characters (市委 inside 全市委托 ...).
MIN_AGENCY_MENTION_CHARS = 3
# Characters that end the stretch of text in which a place mention collects sectors.
CLAUSE_END = "，,。；;！!？?：:\n\r"
_CLAUSE_END_RE = re.compile("[" + re.escape(CLAUSE_END) + "]")
# Suffixes of place names, for places the gazetteer does not know (longest first).
PLACE_SUFFIXES = (
    "产业基地", "生态园", "科学城", "新片区", "示范区", "产业园", "科技园", "软件园", "创新园",
    "双创园", "工业区", "开发区", "高新区", "园区",
)
_MAX_NAME_MIDDLE = 8  # characters between the known prefix and the suffix
_SCAN = _MAX_NAME_MIDDLE + max(len(s) for s in PLACE_SUFFIXES)
# Characters that never occur inside the middle of such a name: function words and verbs that
# show the text is a phrase about a place, not a name (在临港新片区建设数字孪生城市先行示范区).
_NOT_IN_NAME = set("的和与及等在为对将把向从以于并或是建推打培支鼓加重批各个由到着了其该")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_WS = re.compile(r"\s")
_WS_RUN = re.compile(r"\s+")
_QUOTED_NAME = re.compile(r"“([^“”，。、；：\s]{2,8})”")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@dataclass(frozen=True)
class EntityMatch:
    """A sector or agency named in a text; offsets into that text."""

    kind: str  # "sector" | "agency"
    entry_id: str  # sector id, or agency id ("agency:<name>")
    name: str  # canonical name
    start: int
    end: int
    text: str  # the text as written (between start and end)
    catalogued: bool = True


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text; offsets into that text."""

    place_id: str
    name: str
    kind: str
    district: Optional[str]
    start: int
    end: int
    text: str
    sectors: tuple[str, ...] = ()  # sector ids tied to this mention in the text
    members: tuple[str, ...] = ()  # member place ids when the name is a group (五个新城)
    catalogued: bool = True


class _Hit(NamedTuple):
    kind: str
    entry_id: str
    start: int
    end: int


class EntityMatcher:
    """Finds sectors, places and agencies in normalized text. Build once, reuse for every text."""

    def __init__(self, gazetteer: Gazetteer, engine: str = "trie", cache_size: int = 8):
        if engine not in ENGINES:
            raise ValueError(f"Unknown matching engine {engine!r}. Available engines: {', '.join(ENGINES)}")
        self.gazetteer = gazetteer
        self.engine = engine
        self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
        self.matcher = PhraseMatcher(self.nlp.vocab)
        self._keys: dict[int, tuple[str, str]] = {}
        self._phrase_keys: dict[str, int] = {}  # whitespace-free phrase -> match key
        self._cache: OrderedDict[str, list[_Hit]] = OrderedDict()
        self._cache_size = cache_size
        self._ascii_edges: set[int] = set()  # match keys of phrases that begin/end in ASCII
        place_forms = gazetteer.place_forms()

        phrases: dict[tuple[str, str], set[str]] = {}
        for sector in gazetteer.sectors:
            phrases.setdefault((SECTOR, sector.id), set()).update(sector.phrases)
        for place in gazetteer.places:
            phrases.setdefault((PLACE, place.id), set()).update(place.written_forms)
        for form, agency in gazetteer.agency_forms().items():
            if (
                len(form) < MIN_AGENCY_MENTION_CHARS
                or form in agency.clause_only_aliases
                or form in place_forms  # 浦东新区 is a place in running text
            ):
                continue
            phrases.setdefault((AGENCY, agency.id), set()).add(form)

        for (kind, entry_id), forms in phrases.items():
            key = f"{kind}|{entry_id}"
            key_hash = self.nlp.vocab.strings.add(key)
            self._keys[key_hash] = (kind, entry_id)
            compact = sorted({_WS.sub("", f) for f in forms} - {""})
            self.matcher.add(key, [self.nlp.make_doc(f) for f in compact])
            for phrase in compact:
                self._phrase_keys.setdefault(phrase, key_hash)
            for form in forms:
                if _ASCII_ALNUM.match(form[0]) or _ASCII_ALNUM.match(form[-1]):
                    self._ascii_edges.add(key_hash)
        initials = "".join(sorted({phrase[0] for phrase in self._phrase_keys}))
        # a cheap check of the first character before trying the whole trie at a position
        self._trie = re.compile("(?=[" + re.escape(initials) + "])(?=(" + _trie_pattern(self._phrase_keys) + "))")

    # -------------------------------------------------------------- public API
    def find_sectors(self, text: str) -> list[EntityMatch]:
        sectors = self.gazetteer
        out = []
        for hit in self._hits(text):
            if hit.kind == SECTOR:
                entry = sectors.sector(hit.entry_id)
                out.append(EntityMatch(SECTOR, entry.id, entry.name, hit.start, hit.end, text[hit.start:hit.end]))
        return out

    def find_agencies(self, text: str) -> list[EntityMatch]:
        by_id = {a.id: a for a in self.gazetteer.agencies}
        out = []
        for hit in self._hits(text):
            if hit.kind == AGENCY:
                entry = by_id[hit.entry_id]
                out.append(EntityMatch(AGENCY, entry.id, entry.name, hit.start, hit.end, text[hit.start:hit.end]))
        return out

    def find_places(self, text: str) -> list[PlaceMatch]:
        hits = self._hits(text)
        place_hits = [h for h in hits if h.kind == PLACE]
        sector_hits = [h for h in hits if h.kind == SECTOR]
        new = self._uncatalogued(text, hits)
        found: list[tuple[int, int, PlaceEntry, bool]] = [
            (h.start, h.end, self.gazetteer.place(h.entry_id), True)
            for h in place_hits
            if not any(s <= h.start and h.end <= e for s, e, _entry in new)  # the anchor of a new name
        ]
        found.extend((s, e, entry, False) for s, e, entry in new)
        found.sort(key=lambda item: item[0])
        sector_starts = [h.start for h in sector_hits]
        out = []
        for i, (start, end, entry, catalogued) in enumerate(found):
            stop = _clause_end(text, end)
            if i + 1 < len(found):
                stop = min(stop, found[i + 1][0])
            tied_ids = []
            for k in range(bisect_left(sector_starts, end), len(sector_hits)):
                if sector_hits[k].end > stop:
                    break
                tied_ids.append(sector_hits[k].entry_id)
            tied = tuple(dict.fromkeys(tied_ids))
            out.append(
                PlaceMatch(
                    place_id=entry.id,
                    name=entry.name,
                    kind=entry.kind,
                    district=entry.district,
                    start=start,
                    end=end,
                    text=text[start:end],
                    sectors=tied,
                    members=entry.members,
                    catalogued=catalogued,
                )
            )
        return out

    # -------------------------------------------------------------- matching
    def _hits(self, text: str) -> list[_Hit]:
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        hits = self._match(text)
        self._cache[text] = hits
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return hits

    def _raw_matches(self, text: str) -> list[tuple[int, int, int]]:
        """(match key, start, end) of every phrase found in the whitespace-free text."""
        compact = _WS_RUN.sub("", text)
        if self.engine == "spacy":
            doc = Doc(self.nlp.vocab, words=list(compact), spaces=[False] * len(compact))
            return self.matcher(doc)
        keys = self._phrase_keys
        return [(keys[m.group(1)], m.start(), m.start() + len(m.group(1))) for m in self._trie.finditer(compact)]

    def _match(self, text: str) -> list[_Hit]:
        if not text:
            return []
        candidates = []
        to_text = _OffsetMap(text)
        keys, ascii_edges = self._keys, self._ascii_edges
        for key_hash, start, end in self._raw_matches(text):
            if to_text.gaps:
                start, end = to_text(start), to_text(end - 1) + 1
            if key_hash in ascii_edges and not _ascii_bounded(text, start, end):
                continue
            kind, entry_id = keys[key_hash]
            candidates.append(_Hit(kind, entry_id, start, end))
        # longest first, then earliest, then place > agency > sector
        candidates.sort(key=lambda h: (-(h.end - h.start), h.start, _KIND_PRIORITY[h.kind]))
        taken = bytearray(len(text) + 1)
        chosen = []
        for hit in candidates:
            if taken.find(1, hit.start, hit.end) != -1:
                continue
            taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
            chosen.append(hit)
        chosen.sort(key=lambda h: h.start)
        return chosen

    # -------------------------------------------------------------- uncatalogued places
    def _uncatalogued(self, text: str, hits: list[_Hit]) -> list[tuple[int, int, PlaceEntry]]:
        """Places the gazetteer does not know, by naming convention, kept to precise cases:
        a known geographic name (district, area, new town) or a quoted name, then a short
        name-like middle, then a place-name suffix: 嘉定工业区, 浦东软件园, “两山”双创园."""
        taken = bytearray(len(text) + 1)
        for h in hits:
            if h.kind in (PLACE, AGENCY):
                taken[h.start:h.end] = b"\x01" * (h.end - h.start)
        anchors: list[tuple[int, int, str]] = []  # (start of name, end of anchor, prefix as named)
        for h in hits:
            if h.kind != PLACE:
                continue
            entry = self.gazetteer.place(h.entry_id)
            if entry.kind in ("district", "area", "new_town") and not entry.is_group:
                anchors.append((h.start, h.end, text[h.start:h.end]))
        for m in _QUOTED_NAME.finditer(text):
            if not any(taken[m.start():m.end()]):
                anchors.append((m.start(), m.end(), m.group(1)))
        out = []
        for start, anchor_end, prefix in anchors:
            j = anchor_end
            limit = min(len(text), anchor_end + _SCAN)
            while j < limit and _NAME_CHAR.match(text[j]) and not taken[j]:
                j += 1
            stretch = text[anchor_end:j]
            best = None
            for suffix in PLACE_SUFFIXES:  # the shortest name that ends in a suffix
                k = stretch.find(suffix)
                if k != -1 and k <= _MAX_NAME_MIDDLE and (best is None or k + len(suffix) < best[0] + len(best[1])):
                    best = (k, suffix)
            if best is None:
                continue
            middle = stretch[: best[0]]
            if any(ch in _NOT_IN_NAME for ch in middle):
                continue
            end = anchor_end + best[0] + len(best[1])
            name = prefix + stretch[: best[0] + len(best[1])]
            if self.gazetteer.resolve_place(name) is not None:
                continue
            entry = PlaceEntry(
                id=PLACE_ID_PREFIX + name,
                name=name,
                kind="park" if best[1].endswith("园") or best[1] == "产业基地" else "zone",
                district=self._district_of(prefix),
                aliases=(),
                within=None,
            )
            out.append((start, end, entry))
        return out

    def _district_of(self, prefix: str) -> Optional[str]:
        place = self.gazetteer.resolve_place(prefix)
        return place.district if place is not None else None


class _OffsetMap:
    """Maps an index in the whitespace-free text back to the index in the original text."""

    def __init__(self, text: str):
        self.gaps: list[int] = []  # compact index at which removed whitespace preceded
        self.shift: list[int] = []  # characters removed up to there
        removed = 0
        for m in _WS_RUN.finditer(text):
            removed += m.end() - m.start()
            self.gaps.append(m.end() - removed)
            self.shift.append(removed)

    def __call__(self, index: int) -> int:
        k = bisect_right(self.gaps, index)
        return index + (self.shift[k - 1] if k else 0)


def _trie_pattern(phrases) -> str:
    """A regular expression matching any of the phrases, the longest one at a position first."""
    root: dict = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a phrase may end here: try the longer phrases first
            return "(?:" + body + ")?"
        return body

    return build(root)


def _clause_end(text: str, start: int) -> int:
    found = _CLAUSE_END_RE.search(text, start)
    return found.start() if found else len(text)


def _ascii_bounded(text: str, start: int, end: int) -> bool:
    """A phrase beginning/ending in a Latin letter or digit must not run into another one (AI in MAIL)."""
    if _ASCII_ALNUM.match(text[start]) and start > 0 and _ASCII_ALNUM.match(text[start - 1]):
        return False
    if _ASCII_ALNUM.match(text[end - 1]) and end < len(text) and _ASCII_ALNUM.match(text[end]):
        return False
    return True
