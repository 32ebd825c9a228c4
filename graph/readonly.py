"""A pattern check that refuses writing Cypher with a clear message, before any engine sees it.

Takes: a Cypher text (as typed by a user in the CLI or the app).
Gives: ``ensure_read_only(cypher)`` which returns ``None`` for a read-only query and raises
``graph.store.QueryRefused`` naming the offending keyword otherwise; ``strip_literals_and_comments``
(the scanner it uses, handy for tests).

This is not the guard: every store also opens its database read-only (LadybugDB
``read_only=True``; Neo4j read sessions), so a query that slips through is still refused by the
engine. The check exists to give a one-line message a user understands ("CREATE is not allowed:
queries are read-only") instead of an engine error.

How it works: string literals ('…', "…"), backquoted identifiers (`…`) and comments (// …,
/* … */) are blanked out first, so ``WHERE m.title CONTAINS 'CREATE'`` passes while
``MATCH (n) /* x */ DETACH DELETE n`` and ``cReAtE`` are refused. A ``;`` followed by anything
other than whitespace is refused (one statement per query). ``CALL`` is allowed only for a
small list of known read-only procedures.
"""

from __future__ import annotations

import re

from graph.store import QueryRefused

# Clause keywords that write data or schema, change the session, or touch files/extensions.
WRITE_KEYWORDS: tuple[str, ...] = (
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD",
    "INSTALL", "UNINSTALL", "ATTACH", "IMPORT", "EXPORT", "USE", "CHECKPOINT", "BEGIN",
    "COMMIT", "ROLLBACK", "FOREACH", "GRANT", "REVOKE", "DENY",
)

# Procedures that only read (LadybugDB/Kuzu catalog functions and Neo4j db.* introspection).
READ_ONLY_PROCEDURES: frozenset[str] = frozenset(
    {
        "show_tables", "table_info", "show_connection", "db_version", "current_setting",
        "show_functions", "show_indexes", "show_sequences", "show_macros",
        "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
        "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "dbms.components",
    }
)

_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALL_RE = re.compile(r"\bCALL\s*(\{)?\s*([A-Za-z_][A-Za-z0-9_.]*)?", re.IGNORECASE)


def strip_literals_and_comments(cypher: str) -> str:
    """Return ``cypher`` with string literals, backquoted names and comments blanked out.

    Blanked regions keep their length (replaced by spaces, quotes kept) so positions still match.
    An unterminated literal or comment blanks to the end of the text.
    """
    out: list[str] = []
    i, n = 0, len(cypher)
    while i < n:
        ch = cypher[i]
        nxt = cypher[i + 1] if i + 1 < n else ""
        if ch == "/" and nxt == "/":
            j = cypher.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif ch == "/" and nxt == "*":
            j = cypher.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(" " * (j - i))
            i = j
        elif ch in ("'", '"', "`"):
            quote = ch
            j = i + 1
            while j < n:
                if cypher[j] == "\\" and quote != "`":
                    j += 2
                    continue
                if cypher[j] == quote:
                    if j + 1 < n and cypher[j + 1] == quote:  # doubled quote escape
                        j += 2
                        continue
                    break
                j += 1
            end = min(j + 1, n)
            out.append(quote + " " * max(0, end - i - 2) + (quote if end - i >= 2 else ""))
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def ensure_read_only(cypher: str) -> None:
    """Raise ``QueryRefused`` unless ``cypher`` is a single read-only statement."""
    if not cypher or not cypher.strip():
        raise QueryRefused("empty query")
    code = strip_literals_and_comments(cypher)

    semi = code.find(";")
    if semi >= 0 and code[semi + 1:].strip(" \t\r\n;"):
        raise QueryRefused("only one statement per query is allowed (found ';' followed by more)")

    for m in _WORD_RE.finditer(code):
        word = m.group(0).upper()
        if word in WRITE_KEYWORDS:
            # a property or map key (n.set, {create: 1}) is not a clause
            before = code[: m.start()].rstrip()
            after = code[m.end():].lstrip()
            if before.endswith(".") or after.startswith(":") and not after.startswith("::"):
                continue
            raise QueryRefused(f"{word} is not allowed: queries are read-only (use MATCH … RETURN …)")

    for m in _CALL_RE.finditer(code):
        if m.group(1):  # CALL { subquery }: its body was checked above
            continue
        proc = (m.group(2) or "").lower()
        if proc not in READ_ONLY_PROCEDURES:
            raise QueryRefused(
                f"CALL {m.group(2) or '?'} is not allowed: only read-only procedures may be "
                f"called ({', '.join(sorted(READ_ONLY_PROCEDURES))})"
            )
