"""Cut the methods gpulab calls out of a Google API discovery document, for the compute stand-in to check against.

The excerpt keeps, per method, what a request may be: HTTP method, path
template, the path and query parameters the description allows (and which
are required), and whether it takes a body. Regenerate it from the document
google-api-python-client ships (googleapiclient/discovery_cache/documents/):

    python tests/ops/api_descriptions/extract_discovery.py compute.v1.json > tests/ops/api_descriptions/compute.v1.json
"""

from __future__ import annotations

import json
import sys

METHODS = {
    "compute": [
        "instances.aggregatedList",
        "instances.get",
        "instances.start",
        "instances.stop",
        "zoneOperations.get",
        "zoneOperations.wait",
    ],
}


def excerpt(document: dict) -> dict:
    methods = {}
    for name in METHODS[document["name"]]:
        resource, method = name.split(".")
        described = document["resources"][resource]["methods"][method]
        methods[name] = {
            "httpMethod": described["httpMethod"],
            "path": document["servicePath"] + described["flatPath"],
            "parameters": {
                key: {"location": value["location"], "required": bool(value.get("required"))}
                for key, value in described.get("parameters", {}).items()
            },
            "request": bool(described.get("request")),
        }
    global_parameters = sorted(document.get("parameters", {}))
    return {
        "source": f"{document['rootUrl']}$discovery/rest?version={document['version']}",
        "revision": document["revision"],
        "globalQueryParameters": global_parameters,
        "methods": methods,
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        print(json.dumps(excerpt(json.load(file)), indent=1, sort_keys=True))
