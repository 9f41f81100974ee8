"""A Graph as a Mermaid flowchart (GitHub and the documentation site render it)."""

from __future__ import annotations

import re

from gpulab.diagram.graph import Graph, Node

SHAPES = {"machine": ('["', '"]'), "bucket": ('[("', '")]'), "identity": ('{{"', '"}}'), "source": ('(["', '"])')}


def mermaid(graph: Graph) -> str:
    """`flowchart LR`: networks and subnets as nested boxes holding their machines; buckets, identities and the
    admitted ranges outside; arrows for who may reach what."""
    ids = {key: f"n{index}" for index, key in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    children: dict[str | None, list[Node]] = {}
    for node in graph.nodes.values():
        if node.kind in ("subnet", "machine"):
            children.setdefault(node.parent, []).append(node)
    placed: set[str] = set()

    def box(node: Node, indent: str) -> None:
        placed.add(node.key)
        if node.kind in ("network", "subnet"):
            lines.append(f'{indent}subgraph {ids[node.key]}["{_text(node.label)}"]')
            for child in sorted(children.get(node.key, []), key=lambda n: (n.kind != "subnet", n.key)):
                box(child, indent + "  ")
            lines.append(f"{indent}end")
        else:
            opening, closing = SHAPES[node.kind]
            lines.append(f"{indent}{ids[node.key]}{opening}{_text(node.label)}{closing}")

    for network in graph.of_kind("network"):
        box(network, "  ")
    for node in sorted(graph.nodes.values(), key=lambda n: (n.kind, n.key)):
        if node.key not in placed:
            box(node, "  ")
    labels: dict[tuple[str, str], set[str]] = {}
    for source, target, label in graph.edges:
        labels.setdefault((source, target), set()).add(label)
    for (source, target), found in sorted(labels.items()):
        lines.append(f'  {ids[source]} -- "{_text(", ".join(sorted(found, key=_port_order)))}" --> {ids[target]}')
    return "\n".join(lines) + "\n"


def _port_order(label: str) -> tuple[int, str]:
    head = label.split("-")[0].split(",")[0]
    return (int(head), label) if head.isdigit() else (1 << 20, label)


def _text(value: str) -> str:
    """Text safe inside Mermaid's quotes."""
    return re.sub(r'["<>]', "'", value)
