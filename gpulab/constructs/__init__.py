"""gpulab's constructs, one package per cloud. Each construct works on its own."""
