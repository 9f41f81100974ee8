"""gpulab: ML research infrastructure as code on CDK for Terraform.

Describe an environment in YAML, get Terraform JSON for a whole ML platform:
network, GPU machines, data buckets, least-privilege identities, monitoring.
"""

from gpulab.speed.fast_import import enable_fast_provider_loading

__version__ = "0.1.0"

# Before any gpulab module can import cdktf: see gpulab/speed/fast_import.py.
enable_fast_provider_loading()
