"""An Azure environment's machines: found in its resource group by their tags and names, listed, started and
deallocated.

Every VM gpulab builds for a machine group carries the tags `Project`,
`Environment` and `ManagedBy=gpulab` and a name of
`vm-<project>-<env>-<machine>-<n>` (gpulab.config.azure_names) in the
resource group `rg-<project>-<env>`; the headquarters VM is not a machine
group's and is never touched. Stopping deallocates (a powered-off VM keeps
billing its compute on Azure); both wait for each VM's long-running
operation, so the command's exit means running or deallocated.
"""

from __future__ import annotations

from gpulab.config.azure_names import VM_PREFIX
from gpulab.config.machines import machine_names
from gpulab.config.model import Environment
from gpulab.ops.azure_clients import call, compute_client
from gpulab.ops.errors import OpsError
from gpulab.ops.fleet import Machine, check_group


def resource_group(env: Environment) -> str:
    return f"rg-{env.prefix}"


def _power_state(compute, group: str, name: str) -> str:
    view = call(f"reading {name}'s state", compute.virtual_machines.instance_view, group, name)
    codes = [s.code for s in view.statuses or [] if s.code and s.code.startswith("PowerState/")]
    return codes[0].removeprefix("PowerState/") if codes else "unknown"


def _listed(env: Environment, group: str | None, compute) -> list:
    check_group(env, group)
    rg = resource_group(env)
    names = machine_names(env, group, prefix=VM_PREFIX)
    tags = {"Project": env.project, "Environment": env.name, "ManagedBy": "gpulab"}
    vms = call("listing the machines", lambda: list(compute.virtual_machines.list(rg)))
    found = [vm for vm in vms if names.fullmatch(vm.name) and all((vm.tags or {}).get(k) == v for k, v in tags.items())]
    if not found:
        raise OpsError(f"{env.name}: no machines found in {rg} (is it deployed? npx cdktf deploy {env.name})")
    return sorted(found, key=lambda vm: vm.name)


def _machine(compute, env: Environment, vm) -> Machine:
    state = _power_state(compute, resource_group(env), vm.name)
    return Machine(vm.name, vm.vm_id or vm.id, vm.hardware_profile.vm_size, state)


def find(env: Environment, group: str | None = None) -> list[Machine]:
    """The environment's VMs, of machine group `group` when given, sorted by name, with their power states."""
    compute = compute_client(env)
    return [_machine(compute, env, vm) for vm in _listed(env, group, compute)]


def start(env: Environment, group: str | None = None) -> list[Machine]:
    """Start the VMs that do not run and wait until every one runs; the VMs as they are then."""
    return _change(env, group, "begin_start", "starting", lambda state: state != "running")


def stop(env: Environment, group: str | None = None) -> list[Machine]:
    """Deallocate the VMs that are not deallocated (running, or powered off and still billed) and wait."""
    return _change(env, group, "begin_deallocate", "deallocating", lambda state: state != "deallocated")


def _change(env: Environment, group: str | None, action: str, doing: str, needs) -> list[Machine]:
    compute = compute_client(env)
    rg = resource_group(env)
    pollers = []
    for vm in _listed(env, group, compute):
        if needs(_power_state(compute, rg, vm.name)):
            pollers.append(
                (vm.name, call(f"{doing} {vm.name}", getattr(compute.virtual_machines, action), rg, vm.name))
            )
    for name, poller in pollers:
        call(f"waiting for {name}", poller.result)
    return find(env, group)
