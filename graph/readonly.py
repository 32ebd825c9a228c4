"""Read-only and bounded user queries: a pattern check, an engine-plan check and the limits.

Takes: a Cypher text (as typed by a user in the CLI or the app); a LadybugDB ``EXPLAIN`` plan;
the environment (``POLICY_KG_QUERY_TIMEOUT``, ``POLICY_KG_MAX_ROWS``).
Gives:

* ``ensure_read_only(cypher)`` -- ``None`` for a single read-only statement, else
  ``graph.store.QueryRefused`` naming the offending keyword in one line;
* ``strip_literals_and_comments`` -- the scanner it uses (handy for tests);
* ``plan_violation(plan_text)`` -- why a LadybugDB physical plan (``EXPLAIN …``) is not read-only,
  or ``None``; ``plan_statement(cypher)`` -- the statement to ``EXPLAIN``;
* ``query_limits(timeout_s, max_rows)`` -- the time limit and row cap of a user query (explicit
  value, else the environment, else 10 s / 5000 rows), validated with one-line errors.

Three guards, outermost first (each store runs all that apply):

1. The pattern check (this module), before any engine sees the text: a message a user
   understands ("CREATE is not allowed: queries are read-only") instead of an engine error.
   String literals ('…', "…", backslash escapes as both engines read them), backquoted names
   and comments (// …, /* … */) are blanked out first, so ``WHERE m.title CONTAINS 'CREATE'``
   passes while ``MATCH (n) /* x */ DETACH DELETE n`` and ``cReAtE`` are refused; the blanked
   text is scanned again after NFKC normalization (full-width ``ＣＲＥＡＴＥ``). A ``;`` followed
   by anything is refused (one statement per query). ``CALL`` is allowed only for a small list
   of known read-only procedures, and ``CALL {…}`` / ``CALL (x) {…}`` subqueries.
2. The engine's own plan (LadybugDB): the store asks the engine to ``EXPLAIN`` the statement and
   refuses plans with side-effect operators or table functions outside a read-only list. This
   matters because LadybugDB's ``read_only=True`` does NOT refuse everything: measured on 0.22,
   ``CHECKPOINT`` through a read-only connection leaves ``.wal``/``.shadow`` files after which the
   database cannot be opened read-only any more, ``COPY (…) TO 'file'`` writes files,
   ``LOAD FROM 'file'`` reads any file, ``CALL threads=1`` changes settings, ``INSTALL`` downloads.
3. The engine's read-only mode: LadybugDB opened with ``read_only=True`` and Neo4j READ sessions
   refuse CREATE/MERGE/SET/DELETE/DROP/ALTER/COPY FROM/ATTACH… themselves.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from typing import Mapping, Optional

from graph.store import QueryRefused, StoreError

# Clause keywords that write data or schema, change the session, or touch files/extensions.
# LadybugDB statement starters included: ANALYZE, COMMENT (ON TABLE), UPDATE (<extension>, a
# download), FORCE (INSTALL); Neo4j: TERMINATE (TRANSACTIONS), GRANT/REVOKE/DENY.
WRITE_KEYWORDS: tuple[str, ...] = (
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD",
    "INSTALL", "UNINSTALL", "ATTACH", "IMPORT", "EXPORT", "USE", "CHECKPOINT", "BEGIN",
    "COMMIT", "ROLLBACK", "FOREACH", "GRANT", "REVOKE", "DENY", "ANALYZE", "COMMENT", "UPDATE",
    "FORCE", "TERMINATE",
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
# CALL name(...) | CALL { subquery } | CALL (x, y) { subquery }  (Neo4j 5 variable scope)
_CALL_RE = re.compile(
    r"\bCALL\s*(\{|\([^(){}]*\)\s*\{)?\s*([A-Za-z_][A-Za-z0-9_.]*)?", re.IGNORECASE
)


def strip_literals_and_comments(cypher: str) -> str:
    """Return ``cypher`` with string literals, backquoted names and comments blanked out.

    Blanked regions keep their length (replaced by spaces, quotes kept) so positions still match.
    An unterminated literal or comment blanks to the end of the text. Escapes are read as the
    engines read them (checked on LadybugDB 0.22): a backslash escapes the next character inside
    '…' and "…"; a doubled quote is NOT an escape ('it''s' is two literals, an engine syntax
    error); `` `a``b` `` is one name.
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
                    if quote == "`" and j + 1 < n and cypher[j + 1] == "`":  # `a``b`
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


def _scan(code: str) -> None:
    """Refuse write keywords, a second statement and unknown procedures in blanked ``code``."""
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
        if m.group(1):  # CALL { subquery } / CALL (x) { subquery }: its body was checked above
            continue
        proc = (m.group(2) or "").lower()
        if proc not in READ_ONLY_PROCEDURES:
            raise QueryRefused(
                f"CALL {m.group(2) or '?'} is not allowed: only read-only procedures may be "
                f"called ({', '.join(sorted(READ_ONLY_PROCEDURES))})"
            )


def ensure_read_only(cypher: str) -> None:
    """Raise ``QueryRefused`` unless ``cypher`` is a single read-only statement."""
    if not cypher or not cypher.strip():
        raise QueryRefused("empty query")
    code = strip_literals_and_comments(cypher)
    _scan(code)
    folded = unicodedata.normalize("NFKC", code)  # ＣＲＥＡＴＥ, ＳＥＴ, full-width ；
    if folded != code:
        _scan(folded)


# -- the engine's plan (LadybugDB EXPLAIN) ------------------------------------------------------
# Operator names are printed in boxes: "│   RESULT_COLLECTOR[11]   │"; table functions as
# "│ Function: SHOW_TABLES │". Extra matches (e.g. from a string literal shown in an expression)
# can only add refusals, never hide an operator the engine printed.
_PLAN_OP_RE = re.compile(r"│\s*([A-Z][A-Z0-9_]*)\[\d+\](?=\s*│)")
_PLAN_FN_RE = re.compile(r"│\s*Function:\s*([A-Za-z0-9_]+)(?=\s*│)")
_EXPLAIN_RE = re.compile(r"\s*(EXPLAIN|PROFILE)\b", re.IGNORECASE)

# Operators with side effects: one with a word of PLAN_DENIED_WORDS anywhere in its name
# (split on "_"), or starting with a word of PLAN_DENIED_FIRST_WORDS (ORDER_BY_MERGE is a read
# operator, MERGE / SET_NODE_PROPERTY / CREATE_TABLE are not). Measured names: TRANSACTION
# (BEGIN, COMMIT, CHECKPOINT), COPY_TO, STANDALONE_CALL (CALL threads=1), INSTALL_EXTENSION,
# UNINSTALL_EXTENSION, USE_DATABASE, ANALYZE.
PLAN_DENIED_WORDS: frozenset[str] = frozenset({
    "TRANSACTION", "CHECKPOINT", "STANDALONE", "EXTENSION", "INSTALL", "UNINSTALL", "DATABASE",
    "EXPORT", "IMPORT", "ATTACH", "DETACH", "MACRO", "SEQUENCE", "DDL", "PARTITIONER",
})
PLAN_DENIED_FIRST_WORDS: frozenset[str] = frozenset({
    "COPY", "CREATE", "DROP", "ALTER", "INSERT", "SET", "DELETE", "MERGE", "USE", "ANALYZE",
    "COMMENT", "UPDATE", "WRITE", "BATCH",
})
# Table functions a read-only plan may call: the engine's internal READ_FTABLE (UNWIND of a
# list, variable-length paths) and catalog introspection. Not READ_CSV*/READ_PARQUET/READ_JSON/
# READ_PANDAS… (LOAD FROM a file or a Python object), PROJECT_GRAPH, extension functions.
PLAN_READ_ONLY_FUNCTIONS: frozenset[str] = frozenset({
    "READ_FTABLE", "SHOW_TABLES", "TABLE_INFO", "SHOW_CONNECTION", "DB_VERSION",
    "CURRENT_SETTING", "SHOW_FUNCTIONS", "SHOW_INDEXES", "SHOW_SEQUENCES", "SHOW_MACROS",
})


def plan_statement(cypher: str) -> str:
    """The statement to ``EXPLAIN``: ``cypher`` without a leading EXPLAIN/PROFILE or final ';'."""
    text = cypher.strip().rstrip(";").strip()
    m = _EXPLAIN_RE.match(strip_literals_and_comments(text))
    return text[m.end():].strip() if m else text


def plan_violation(plan: str) -> Optional[str]:
    """Why the engine plan ``plan`` is not read-only (one line), or ``None`` when it is."""
    ops = _PLAN_OP_RE.findall(plan)
    if not ops:
        return "the engine's plan of this query could not be checked, so it was refused"
    for op in ops:
        words = op.split("_")
        if set(words) & PLAN_DENIED_WORDS or words[0] in PLAN_DENIED_FIRST_WORDS:
            return (f"{op} is not allowed: queries are read-only "
                    f"(the engine's plan for this statement has a {op} step)")
    for fn in _PLAN_FN_RE.findall(plan):
        if fn.upper() not in PLAN_READ_ONLY_FUNCTIONS:
            return (f"table function {fn} is not allowed: queries are read-only and may not "
                    "read files, change settings or call extensions")
    return None


# -- limits -------------------------------------------------------------------------------------
TIMEOUT_ENV = "POLICY_KG_QUERY_TIMEOUT"
MAX_ROWS_ENV = "POLICY_KG_MAX_ROWS"
BUILTIN_TIMEOUT_S = 10.0
BUILTIN_MAX_ROWS = 5000


def parse_timeout(value: object) -> float:
    """A time limit in seconds: a finite number > 0 (ValueError with a short reason otherwise)."""
    try:
        t = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(t) or t <= 0:
        raise ValueError(f"{value!r} is not a positive number of seconds")
    return t


def parse_max_rows(value: object) -> int:
    """A row cap: a whole number >= 1 (ValueError with a short reason otherwise)."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a whole number of rows") from None
    if n < 1:
        raise ValueError(f"{value!r} is not a row count of at least 1")
    return n


def timeout_message(timeout_s: Optional[float], engine: str = "") -> str:
    """The one-line message of a query stopped at its time limit (both engines, every surface)."""
    limit = f"{timeout_s:g} s" if timeout_s else "the server's"
    by = f" by {engine}" if engine else ""
    return (f"query exceeded {limit} time limit and was stopped{by} (timed out): narrow the "
            "MATCH, bound variable-length paths like [*1..3], add LIMIT, or raise the time limit")


def query_limits(timeout_s: Optional[float] = None, max_rows: Optional[int] = None,
                 environ: Optional[Mapping[str, str]] = None) -> tuple[float, int]:
    """The (time limit in seconds, row cap) of a user query.

    Each is the explicit value when given, else ``$POLICY_KG_QUERY_TIMEOUT`` /
    ``$POLICY_KG_MAX_ROWS`` (read now, not at import), else 10 s / 5000 rows. A bad value raises
    ``StoreError`` naming where it came from.
    """
    env = os.environ if environ is None else environ
    out: list = []
    for given, name, parse, default in ((timeout_s, TIMEOUT_ENV, parse_timeout, BUILTIN_TIMEOUT_S),
                                        (max_rows, MAX_ROWS_ENV, parse_max_rows, BUILTIN_MAX_ROWS)):
        raw, where = (given, "the limit") if given is not None else (env.get(name), name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            out.append(default)
            continue
        try:
            out.append(parse(raw))
        except ValueError as exc:
            raise StoreError(f"{where}: {exc}") from None
    return out[0], out[1]
