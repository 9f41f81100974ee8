"""gpulab: ML research infrastructure as code on CDK for Terraform.

Describe an environment in YAML, get Terraform JSON for a whole ML platform:
network, GPU machines, data buckets, least-privilege identities, monitoring.

Importing gpulab changes nothing in your process. `enable_fast_loading()`,
called before anything imports cdktf, opts in to the loaders that change
nothing but speed (docs/library.md); the `gpulab` command turns on all of
gpulab/speed by itself.
"""

__version__ = "0.1.0"


def enable_fast_loading() -> None:
    """Load the cdktf provider bindings lazily, here and in the jsii kernel: call it before importing cdktf.

    Behaviour-neutral: attribute access, errors, token texts and this
    process's environment stay as plain cdktf has them; only loading gets
    faster (docs/speed.md has the figures). Calling it again does nothing more.
    """
    from gpulab.speed.fast_import import enable_library_speedups

    enable_library_speedups()
