"""Scripts that run on the machines gpulab builds, shipped in the package and installed by the boot scripts."""
