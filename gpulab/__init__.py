"""gpulab: ML research infrastructure as code on CDK for Terraform.

Describe an environment in YAML, get Terraform JSON for a whole ML platform:
network, GPU machines, data buckets, least-privilege identities, monitoring.
"""

__version__ = "0.1.0"
