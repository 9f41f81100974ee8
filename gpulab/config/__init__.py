"""Environment files: the pydantic model, YAML loading and the cloud catalog."""

from gpulab.config.loader import load_environment, load_environments
from gpulab.config.model import Environment

__all__ = ["Environment", "load_environment", "load_environments"]
