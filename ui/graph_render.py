"""Draw a small property graph with st-link-analysis (Cytoscape, bundled JS) and read clicks back.

Takes: normalized store dicts -- nodes ``{"_kind": "node", "_label", "id", ...}`` and
relationships ``{"_kind": "rel", "_type", "_source", "_target", ...}`` -- e.g. from
``graph.queries.neighbourhood`` or from the cells of a Cypher result.
Gives:

* ``elements(nodes, edges)`` -- the Cytoscape element dict (captions are short Chinese names);
* ``draw(nodes, edges, key, height)`` -- renders the graph and returns the component's last event
  (``{"action": "clicked_node"|"expand"|..., "data": {...}}``) or None;
* ``clicked_node_id(event)`` -- the node id a click or an expand event refers to;
* ``graph_from_cells(rows)`` -- nodes and relationships found anywhere in result rows (paths too).

Layout is chosen by size: ``cose`` (force-directed) for tiny graphs, ``concentric`` (by degree:
the centre of a neighbourhood in the middle, its neighbours on rings) beyond
``FORCE_LAYOUT_MAX_NODES``: cose takes ~5 s for 200 nodes with software rendering (see
/work/shared/notes/ui-stack.md) and crowds the labels of a star. Animation is off, edges are
straight. Nothing is fetched from a CDN.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from st_link_analysis import EdgeStyle, Event, NodeStyle, st_link_analysis

from ui.common import LABEL_COLORS, LABEL_ZH, REL_ZH, caption

FORCE_LAYOUT_MAX_NODES = 12
CLICK_EVENT = "clicked_node"

class _Style:
    """A raw Cytoscape style rule (the component only calls ``dump()`` on its style objects)."""

    def __init__(self, selector: str, style: dict[str, Any]):
        self.selector, self.style = selector, style

    def dump(self) -> dict[str, Any]:
        return {"selector": self.selector, "style": self.style}


# The component's defaults (font 3.6 px, labels hidden below 10 px on screen) hide every caption
# at the zoom a fitted neighbourhood gets; these rules come after them and win.
_BASE_STYLES = [
    _Style("*", {"min-zoomed-font-size": 5}),
    _Style("node", {"font-size": 9, "text-margin-y": 2, "width": 16, "height": 16}),
    _Style("edge", {"font-size": 6, "width": 1.2}),
]
_NODE_STYLES = _BASE_STYLES + [NodeStyle(label, color, "caption")
                               for label, color in LABEL_COLORS.items()]
_EDGE_STYLES = [EdgeStyle(rel, caption="caption", labeled=None, directed=True,
                          curve_style="straight")
                for rel in [*REL_ZH, "SHARES"]]
_EVENTS = [Event(CLICK_EVENT, "click tap", "node")]


def _layout(n_nodes: int) -> dict[str, Any]:
    base = {"padding": 20, "fit": True, "animate": False, "nodeDimensionsIncludeLabels": True}
    if n_nodes <= FORCE_LAYOUT_MAX_NODES:
        return {**base, "name": "cose", "nodeRepulsion": 6000, "numIter": 400,
                "idealEdgeLength": 60, "randomize": False}
    return {**base, "name": "concentric", "minNodeSpacing": 24,
            "nodeDimensionsIncludeLabels": False}


def elements(nodes: Iterable[dict], edges: Iterable[dict],
             centre: Optional[str] = None) -> dict[str, list[dict]]:
    """Cytoscape elements; edges whose ends are not among ``nodes`` are dropped."""
    out_nodes = []
    ids = set()
    for n in nodes:
        if n.get("id") is None or n["id"] in ids:
            continue
        ids.add(n["id"])
        label = n.get("_label") or "Node"
        name = caption(n)
        out_nodes.append({"data": {
            "id": n["id"], "label": label, "caption": ("◉ " + name) if n["id"] == centre else name,
            "kind_zh": LABEL_ZH.get(label, label),
        }})
    out_edges = []
    seen = set()
    for e in edges:
        key = (e.get("_source"), e.get("_type"), e.get("_target"))
        if key in seen or key[0] not in ids or key[2] not in ids:
            continue
        seen.add(key)
        extra = e.get("role")
        cap = e.get("_caption") or REL_ZH.get(key[1], key[1]) + (
            f"·{'牵头' if extra == 'lead' else '配合'}" if extra in ("lead", "support") else "")
        out_edges.append({"data": {"id": "|".join(key), "label": key[1], "source": key[0],
                                   "target": key[2], "caption": cap}})
    return {"nodes": out_nodes, "edges": out_edges}


def draw(nodes: list[dict], edges: list[dict], key: str, height: int = 560,
         centre: Optional[str] = None, on_change: Any = None) -> Any:
    """Render the graph; returns the component's last event (or None)."""
    els = elements(nodes, edges, centre)
    return st_link_analysis(els, layout=_layout(len(els["nodes"])), node_styles=_NODE_STYLES,
                            edge_styles=_EDGE_STYLES, height=height, key=key,
                            node_actions=["expand"], events=_EVENTS, on_change=on_change)


def clicked_node_id(event: Any) -> Optional[str]:
    """The node a component event refers to (click: ``target_id``; expand: first ``node_ids``)."""
    if not isinstance(event, dict):
        return None
    data = event.get("data") or {}
    if event.get("action") == CLICK_EVENT and data.get("target_group", "nodes") == "nodes":
        return data.get("target_id")
    if event.get("action") == "expand" and data.get("node_ids"):
        return data["node_ids"][0]
    return None


def graph_from_cells(rows: Iterable[Iterable[Any]]) -> tuple[list[dict], list[dict]]:
    """Every node and relationship in the result cells (inside lists and paths too)."""
    nodes: dict[str, dict] = {}
    rels: list[dict] = []

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            kind = value.get("_kind")
            if kind == "node" and value.get("id") is not None:
                nodes.setdefault(value["id"], value)
            elif kind == "rel":
                rels.append(value)
            elif kind == "path":
                for part in list(value.get("nodes") or []) + list(value.get("rels") or []):
                    visit(part)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)

    for row in rows:
        visit(list(row))
    return list(nodes.values()), rels
