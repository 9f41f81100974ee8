"""Rules that both the environment model and the constructs apply, so the two cannot drift.

Plain functions and constants with no dependency beyond the standard library:
the configuration checks word their problems from them, and the constructs
raise `ValueError` naming the argument from the same functions.
"""
