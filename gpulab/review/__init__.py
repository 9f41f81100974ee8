"""Reviewing what a change to the platform does: security findings and their waivers."""
