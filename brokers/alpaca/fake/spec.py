"""Validate JSON bodies against Alpaca's official OpenAPI 3.0 specs (copied in openapi/, MIT).

OpenAPI 3.0 is not JSON Schema: `nullable: true` becomes "or null" here, and $refs resolve against
the spec's components. Known spec quirks (reference/alpaca.md §6) are the callers' business: e.g.
`Order.required` lists `notional`, so a body must carry `"notional": null`.

    validate(order_body, "Order")                       # trading-api.json
    validate(bars_body, "stock_bars_resp", api="data")  # market-data-api.json
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SPEC_DIR = Path(__file__).with_name("openapi")
_FILES = {"trading": "trading-api.json", "data": "market-data-api.json"}
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def _nullable_to_jsonschema(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_to_jsonschema(v) for k, v in node.items() if k not in ("nullable", "example", "examples")}
    if node.get("nullable"):
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
        return {"anyOf": [out, {"type": "null"}]}
    return out


@lru_cache(maxsize=2)
def _components(api: str) -> dict[str, Any]:
    if api not in _FILES:
        raise ValueError(f"unknown api {api!r}: use one of {sorted(_FILES)}")
    spec = json.loads((SPEC_DIR / _FILES[api]).read_text())
    return {"components": _nullable_to_jsonschema(spec["components"])}


_formats = jsonschema.FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _is_rfc3339(value: object) -> bool:
    return not isinstance(value, str) or bool(_RFC3339.match(value))


def validate(body: Any, schema: str, api: str = "trading", *, array: bool = False) -> None:
    """Raise jsonschema.ValidationError unless `body` matches components.schemas[schema] (or a list of it)."""
    root = dict(_components(api))
    if schema not in root["components"]["schemas"]:
        raise KeyError(f"schema {schema!r} is not in the {api} spec")
    ref = {"$ref": f"#/components/schemas/{schema}"}
    root.update({"type": "array", "items": ref} if array else ref)
    jsonschema.Draft7Validator(root, format_checker=_formats).validate(body)
