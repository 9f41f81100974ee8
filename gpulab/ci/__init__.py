"""Plan review and apply in GitHub Actions: the workflows gpulab ships and `gpulab ci init` writes."""
