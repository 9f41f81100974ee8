"""The speed layer: what makes a synth fast, and nothing that builds infrastructure (docs/speed.md).

Nothing here runs on import; `gpulab.cli` turns the layer on for the
command line, and library users may opt in with `gpulab.enable_fast_loading()`.
"""
