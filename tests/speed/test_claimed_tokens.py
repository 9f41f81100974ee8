"""Claimed tokens: string attribute reads go on without their answers, and stand for what the kernel answered."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from gpulab.speed.async_creates import ObjectIdClaims
from gpulab.speed.claimed_tokens import OwedToken, TokenClaims, declared_string_attributes, token_text
from tests.speed.binding_probe import probe_lines

KERNEL_TOKEN = re.compile(r"\$\{TfToken\[TOKEN\.\d+\]\}")
NETWORK = "@cdktf/provider-google.computeNetwork.ComputeNetwork"

# Reads a network's attributes, some by claim, uses two in a subnetwork, synthesizes; then reads once an object can
# call back into Python, and sends claims the kernel must refuse.
PROBE = textwrap.dedent(
    """
    import json, sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf
    from jsii._runtime import kernel
    from jsii._kernel.types import GetRequest, GetResponse
    from cdktf_cdktf_provider_google.provider import GoogleProvider
    from cdktf_cdktf_provider_google.compute_network import ComputeNetwork
    from cdktf_cdktf_provider_google.compute_subnetwork import ComputeSubnetwork
    from gpulab.speed.claimed_tokens import CLAIM_KEY, OwedToken, token_text
    process = kernel.provider._process

    def owed():
        return " ".join(type(owed).__name__ for owed in process._owed or ()) or "none"

    app = cdktf.App(outdir=sys.argv[1])
    stack = cdktf.TerraformStack(app, "claims")
    provider = GoogleProvider(stack, "google", project="demo")
    network = ComputeNetwork(stack, "net", name="net", auto_create_subnetworks=False)
    network_id = network.id
    print("get", network_id, owed())
    print("invoke", network.get_string_attribute("gateway_ipv4"), owed())
    ComputeSubnetwork(
        stack, "subnet", name="subnet", network=network_id, ip_cidr_range="10.0.0.0/24",
        description=f"in {network.self_link}", region="europe-west4",
    )
    print("input", network.name_input, owed())
    print("provider", provider.project, owed())
    app.synth()
    with open(f"{sys.argv[1]}/stacks/claims/cdk.tf.json") as written:
        subnet = json.load(written)["resource"]["google_compute_subnetwork"]["subnet"]
    print("synthesized", subnet["network"], "|", subnet["description"])

    class NamingStack(cdktf.TerraformStack):
        def _allocate_logical_id(self, element):
            return "named_by_python"

    NamingStack(app, "named")
    print("after callbacks", network.id, owed())

    for prop, key in (("nameInput", "gpulab:100"), ("id", "gpulab:1"), ("id", "TOKEN.5"), ("id", "gpulab:101")):
        request = GetRequest(objref=network.__jsii_ref__, property=prop)
        claim = OwedToken(request, key, "value", GetResponse(value=token_text(key)))
        process._write_owed(request, claim, {CLAIM_KEY: key})
        try:
            process.collect_owed_answers()
            print("accepted", prop, key)
        except Exception as error:
            print("refused", type(error).__name__, str(error).splitlines()[0])
            print("note", *error.__notes__)
    """
)


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> tuple[list[str], Path]:
    """The probe's output lines with claims on, and the folder it synthesized into."""
    out = tmp_path_factory.mktemp("claims") / "on"
    return probe_lines(PROBE, str(out)), out


def test_string_attribute_reads_are_claimed_sent_ahead_and_synthesize_as_the_kernels_tokens(probed, tmp_path):
    lines, on = probed
    claimed_creates = "OwedCreate OwedCreate OwedCreate"  # the stack, the provider and the network
    assert lines[:4] == [
        f"get ${{TfToken[gpulab:1]}} {claimed_creates} OwedToken",
        f"invoke ${{TfToken[gpulab:2]}} {claimed_creates} OwedToken OwedToken",
        "input net none",  # an `Input` getter answers the value given: it waits
        "provider demo none",  # so do a provider's configuration getters
    ]
    synthesized = "synthesized ${google_compute_network.net.id} | in ${google_compute_network.net.self_link}"
    assert lines[4] == synthesized

    off = probe_lines(PROBE, str(tmp_path / "off"), GPULAB_CLAIMED_TOKENS="off")
    assert KERNEL_TOKEN.fullmatch(off[0].split()[1]) and off[0].endswith(" none"), off[0]
    assert off[2:5] == lines[2:5]
    stack = Path("stacks/claims/cdk.tf.json")
    assert (on / stack).read_bytes() == (tmp_path / "off" / stack).read_bytes()

    after = lines[5].split()
    assert after[:2] == ["after", "callbacks"] and KERNEL_TOKEN.fullmatch(after[2]) and after[3] == "none", lines[5]


def test_the_kernel_refuses_a_read_that_is_not_one_token_and_a_taken_or_malformed_key(probed):
    lines = probed[0][6:]
    key_refusal = (
        'refused JSIIError Cannot claim the token key "{}" for the get of id: '
        "a claimed token key must be a free gpulab:<number>, for a get or an invoke"
    )
    note = "note gpulab: raised for reading {} (claimed as token {}), whose answer was read later; "
    switch = "GPULAB_CLAIMED_TOKENS=off raises it where it was read"
    assert lines == [
        'refused JSIIError Cannot answer the get of nameInput with the claimed token gpulab:100: its answer, "net", '
        "is not one string token",
        note.format(f"{NETWORK}.nameInput", "gpulab:100") + switch,
        key_refusal.format("gpulab:1"),
        note.format(f"{NETWORK}.id", "gpulab:1") + switch,
        key_refusal.format("TOKEN.5"),
        note.format(f"{NETWORK}.id", "TOKEN.5") + switch,
        "accepted id gpulab:101",
    ]


def test_every_attribute_read_by_claim_answers_one_string_token_on_every_class_gpulab_builds(shipped_out, monkeypatch):
    """The rule of claimed_tokens.py, checked against the kernel's own answers for every shipped environment."""
    from jsii._reference_map import _refs
    from jsii._runtime import kernel

    monkeypatch.setattr(kernel.provider._process, "token_claims", None)  # every read waits for the kernel's answer
    claims = TokenClaims(ObjectIdClaims())
    examples = {}
    for ref, instance in list(_refs._refs.items()):
        if claims.string_attributes(fqn := ref.rpartition("@")[0]):
            examples.setdefault(fqn, instance)
    assert len(examples) >= 40, sorted(examples)
    answers = {
        (fqn, name): kernel.get(instance, name)
        for fqn, instance in examples.items()
        for name in claims.string_attributes(fqn)
    }
    answers |= {
        (fqn, "getStringAttribute()"): instance.get_string_attribute("id") for fqn, instance in examples.items()
    }
    assert len(answers) >= 400
    assert {read: answer for read, answer in answers.items() if not KERNEL_TOKEN.fullmatch(answer)} == {}


def test_only_string_attributes_of_resources_and_data_sources_are_claimed(shipped_out):
    from jsii._reference_map import _types

    claims = TokenClaims(ObjectIdClaims())
    network = claims.string_attributes(NETWORK)
    assert {"id", "name", "selfLink", "gatewayIpv4"} <= network
    assert not {"nameInput", "friendlyUniqueId", "terraformResourceType", "fqn"} & network
    assert "arn" in claims.string_attributes("@cdktf/provider-aws.dataAwsCallerIdentity.DataAwsCallerIdentity")
    assert claims.string_attributes("@cdktf/provider-google.provider.GoogleProvider") == frozenset()
    # A list of nested blocks declares `terraformAttribute: str`, the block's name, which is not a token.
    disks = "@cdktf/provider-google.computeInstance.ComputeInstanceAttachedDiskList"
    assert "terraformAttribute" in declared_string_attributes(_types[disks])
    assert claims.string_attributes(disks) == frozenset()
    assert claims.string_attributes("cdktf.TerraformStack") == frozenset()
    assert claims.string_attributes("example.NotLoaded") == frozenset()


def test_an_answer_must_be_the_claimed_token():
    from jsii._kernel.types import GetRequest, GetResponse, ObjRef
    from jsii.errors import JSIIError

    request = GetRequest(objref=ObjRef(ref=f"{NETWORK}@gpulab3"), property="id")
    owed = OwedToken(request, "gpulab:7", "value", GetResponse(value=token_text("gpulab:7")))
    assert owed.expected_line == b'{"ok":{"value":"${TfToken[gpulab:7]}"}}\n'  # as the kernel writes it
    owed.accept({"value": "${TfToken[gpulab:7]}"})
    with pytest.raises(JSIIError, match=re.escape(f"the read of {NETWORK}.id claimed as ${{TfToken[gpulab:7]}}")):
        owed.accept({"value": "${TfToken[TOKEN.12]}"})
