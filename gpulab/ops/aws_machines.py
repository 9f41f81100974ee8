"""An AWS environment's machines: found by the tags gpulab puts on them, listed, started and stopped.

Every instance gpulab builds carries `Project`, `Environment` and
`ManagedBy=gpulab` (the provider's default tags) and a `Name` of
`<project>-<env>-<machine>-<n>`, so a machine group is the instances whose
name starts with `<project>-<env>-<machine>-`. Starting and stopping wait
until every instance has got there, so the command's exit means it is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpulab.config.model import Environment
from gpulab.ops.aws_clients import OpsError, call, client


@dataclass(frozen=True)
class Instance:
    instance_id: str
    name: str
    state: str
    instance_type: str


def find(env: Environment, machine: str | None = None) -> list[Instance]:
    """The environment's instances (not terminated), of machine group `machine` when given, sorted by name."""
    if machine is not None and machine not in {m.name for m in env.machines}:
        known = ", ".join(m.name for m in env.machines) or "none"
        raise OpsError(f"{env.name} has no machine named {machine!r} (its machines: {known})")
    ec2 = client("ec2", env.region)
    filters = [
        {"Name": "tag:Project", "Values": [env.project]},
        {"Name": "tag:Environment", "Values": [env.name]},
        {"Name": "tag:ManagedBy", "Values": ["gpulab"]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
    ]
    prefix = f"{env.project}-{env.name}-{machine}-" if machine else ""
    found = []
    paginator = ec2.get_paginator("describe_instances")
    pages = call("listing the machines", lambda **kw: list(paginator.paginate(**kw)), Filters=filters)
    for page in pages:
        for reservation in page["Reservations"]:
            for item in reservation["Instances"]:
                name = next((t["Value"] for t in item.get("Tags", []) if t["Key"] == "Name"), item["InstanceId"])
                if name.startswith(prefix):
                    found.append(Instance(item["InstanceId"], name, item["State"]["Name"], item["InstanceType"]))
    if not found:
        raise OpsError(f"{env.name}: no machines found in {env.region} (is it deployed? npx cdktf deploy {env.name})")
    return sorted(found, key=lambda i: i.name)


def start(env: Environment, machine: str | None = None) -> list[Instance]:
    """Start the stopped instances and wait until every one runs; the instances as they are then."""
    return _change(env, machine, "start_instances", "instance_running", "starting")


def stop(env: Environment, machine: str | None = None) -> list[Instance]:
    """Stop the running instances and wait until every one has stopped; the instances as they are then."""
    return _change(env, machine, "stop_instances", "instance_stopped", "stopping")


def _change(env: Environment, machine: str | None, action: str, waiter: str, doing: str) -> list[Instance]:
    instances = find(env, machine)
    ids = [i.instance_id for i in instances]
    ec2 = client("ec2", env.region)
    call(f"{doing} {', '.join(i.name for i in instances)}", getattr(ec2, action), InstanceIds=ids)
    call(
        f"waiting for {', '.join(i.name for i in instances)}",
        ec2.get_waiter(waiter).wait,
        InstanceIds=ids,
        WaiterConfig={"Delay": 5, "MaxAttempts": 120},
    )
    return find(env, machine)
