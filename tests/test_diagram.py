"""gpulab diagram: the synthesized stacks as graphs (what will be built, who may reach what) and as Mermaid."""

from __future__ import annotations

from gpulab.cli import run
from gpulab.diagram import mermaid, stack_graph
from tests.conftest import REPO, SHIPPED


def _edges(graph, kind_from, kind_to):
    nodes = graph.nodes
    return sorted(
        (nodes[a].label, nodes[b].label, label)
        for a, b, label in graph.edges
        if nodes[a].kind == kind_from and nodes[b].kind == kind_to
    )


def test_dev_shows_its_machine_in_the_public_subnet_its_role_and_buckets_and_who_reaches_it(stacks):
    graph = stack_graph(stacks["dev"])
    (machine,) = graph.of_kind("machine")
    assert machine.label == "mlinfra-dev-trainer-0 · g4dn.xlarge · 1 × t4"
    assert graph.nodes[machine.parent].label == "mlinfra-dev-public-0 10.0.1.0/24"
    assert _edges(graph, "machine", "identity") == [
        ("mlinfra-dev-trainer-0 · g4dn.xlarge · 1 × t4", "mlinfra-dev-machine", "acts as")
    ]
    assert _edges(graph, "identity", "bucket") == [
        ("mlinfra-dev-machine", "mlinfra-dev-datasets", "reads, writes"),
        ("mlinfra-dev-machine", "mlinfra-dev-models", "reads, writes"),
    ]
    assert sorted(label for _, _, label in _edges(graph, "source", "machine")) == ["22", "6006", "8888"]
    assert {graph.nodes[a].label for a, _, _ in graph.edges if graph.nodes[a].kind == "source"} == {"203.0.113.0/24"}


def test_a_gcp_worker_acts_as_its_service_account_which_reaches_the_results_bucket_only(stacks):
    graph = stack_graph(stacks["tiny"])
    assert _edges(graph, "identity", "bucket") == [("pcp-tiny-workers", "pcp-tiny-results", "reads, writes")]
    assert [(a, label) for a, _, label in _edges(graph, "source", "machine")] == [("35.235.240.0/20", "22")]


def test_azure_experiment_vms_reach_their_containers_through_their_own_identity(stacks):
    graph = stack_graph(stacks["echoes"])
    experiment = "vm-echoes-echoes-experiment-0 · Standard_NC4as_T4_v3 · 1 × t4"
    assert {b for a, b, _ in _edges(graph, "machine", "bucket") if a == experiment} == {
        "datasets",
        "logs",
        "mlruns",
        "results",
        "tfruns",
    }
    internet = {(b.split(" · ")[0], label) for a, b, label in _edges(graph, "source", "machine") if a == "Internet"}
    assert internet == {("vm-echoes-echoes-hq", "443"), ("vm-echoes-echoes-hq", "80")}


def test_chameleons_gpu_node_sits_on_the_shared_network_and_admits_ssh_from_the_other_sites_nodes(stacks):
    graph = stack_graph(stacks["chameleon"])
    gpu = next(n for n in graph.of_kind("machine") if "gpu-0" in n.label)
    assert gpu.label.endswith("reserved by lease") and graph.nodes[gpu.parent].label.startswith("sharednet1")
    sources = {a for a, b, _ in _edges(graph, "source", "machine") if b == gpu.label}
    assert sources == {"203.0.113.0/24", "node-0's floating IP", "node-1's floating IP", "node-2's floating IP"}


def test_every_shipped_stack_draws_as_mermaid_with_each_node_once(stacks):
    for name in SHIPPED:
        text = mermaid(stack_graph(stacks[name]))
        assert text.startswith("flowchart LR\n")
        defined = [
            line.split("[")[0].split("(")[0].split("{")[0].strip()
            for line in text.splitlines()[1:]
            if "-->" not in line and line.strip() not in ("end",) and not line.strip().startswith("subgraph")
        ]
        assert len(defined) == len(set(defined)), name


def test_the_docs_page_is_what_gpulab_diagram_prints(capsys):
    assert run(["diagram", "--markdown"]) == 0
    printed = capsys.readouterr().out
    page = (REPO / "docs" / "diagrams.md").read_text()
    assert page.startswith("# Diagrams of the shipped environments\n") and page.endswith(printed), (
        "regenerate: the page's introduction, then `gpulab diagram --markdown`"
    )


def test_an_unknown_environment_is_one_clear_line_and_exit_2(capsys):
    assert run(["diagram", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err
