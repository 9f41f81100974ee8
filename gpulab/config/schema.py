"""The JSON Schema of an environment file, from the pydantic model, for editors' completion and checks.

A file opts in with a first line `# yaml-language-server: $schema=<path or URL of the schema>` (the YAML
language server in VS Code, Neovim and others reads it). The schema describes the file as written: no
`name` (it comes from the file name), `extends:` allowed, and nothing required in a file that extends a
base (the merged result is what `gpulab validate` checks, with the messages the schema cannot give).
"""

from __future__ import annotations

from gpulab.config.model import Environment

SCHEMA_ID = "https://gpulab.dev/schemas/environment.schema.json"


def environment_schema() -> dict:
    """The schema of one environment file (JSON Schema 2020-12)."""
    schema = Environment.model_json_schema()
    properties = {key: value for key, value in schema["properties"].items() if key != "name"}
    properties["extends"] = {
        "type": "string",
        "description": "A base file next to this one (its name starts with _) whose values this file overrides.",
    }
    required = [key for key in schema["required"] if key != "name"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "gpulab environment file",
        "description": "One environment: its cloud, machines, buckets and settings (docs/environments.md).",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "if": {"required": ["extends"]},
        "else": {"required": required},
        "$defs": schema["$defs"],
    }
