"""Checks the emulator's answers against GitHub's official REST description.

GitHub publishes its REST API as an OpenAPI description (github/rest-api-description); the PyPI
package `githubkit-schemas-2022-11-28` ships it as pydantic models generated from that description,
one per schema, for the API version the emulator serves (2022-11-28). An answer conforms when

- the schema's model validates it in strict mode: every required field is there, with the
  declared type (no string for a number, no number for a string, enums within their values), and
- it has no field the schema does not declare, at any depth (pydantic alone would ignore those).
"""

from __future__ import annotations

import json
from typing import Any

from githubkit_schemas.v2022_11_28 import models
from pydantic import TypeAdapter, ValidationError

__all__ = ["conforms", "models"]


def conforms(schema: Any, answer: Any, where: str = "answer") -> None:
    """Fails the test, naming each problem, unless `answer` conforms to `schema` (a model class,
    or a type such as `list[models.Deployment]`)."""
    adapter = TypeAdapter(schema)
    try:
        validated = adapter.validate_json(json.dumps(answer), strict=True)
    except ValidationError as problems:
        raise AssertionError(f"{where} does not match the REST description's {_name(schema)}:\n{problems}") from None
    declared = adapter.dump_python(validated, by_alias=True, exclude_unset=True)
    undeclared = list(_undeclared(answer, declared, where))
    assert not undeclared, f"{where} has fields {_name(schema)} does not declare: {undeclared}"


def _undeclared(answer: Any, declared: Any, where: str):
    """Paths of fields in `answer` that validation dropped, i.e. that the schema does not declare."""
    if isinstance(answer, dict) and isinstance(declared, dict):
        for key, value in answer.items():
            if key not in declared:
                yield f"{where}.{key}"
            else:
                yield from _undeclared(value, declared[key], f"{where}.{key}")
    elif isinstance(answer, list) and isinstance(declared, list):
        for index, (ours, kept) in enumerate(zip(answer, declared)):
            yield from _undeclared(ours, kept, f"{where}[{index}]")


def _name(schema: Any) -> str:
    return getattr(schema, "__name__", None) or str(schema)
