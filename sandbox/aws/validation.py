"""Input validation as AWS services do it, driven by the botocore model's constraints.

AWS checks every member against its shape (type, required, length, range, pattern, enum, list
and map sizes) before an operation runs and answers `ValidationException` with one line per
failed field. moto checks none of it, so a name like `pr-42` or a missing `roleArn` would pass
locally and fail in AWS. Messages follow AWS's wording: list and map members that break a rule
are reported at the list or map ("Member must satisfy constraint: [...]"), structures inside a
list at `path.N.member` (1-based). Lengths count Unicode code points, as AWS does (Python's
`len` of a `str`). Values inside a sensitive shape never appear in a message.
"""

import re
from typing import Any

# What a JSON value of each model type decodes to (bool is an int in Python: excluded below).
JSON_TYPES = {
    "structure": dict, "map": dict, "list": list, "string": str, "boolean": bool,
    "integer": int, "long": int, "float": (int, float), "double": (int, float),
    "timestamp": (int, float, str), "blob": str,
}
NUMBERS = ("integer", "long", "float", "double")


def validation_errors(shape, value, path: str = "") -> list[tuple[str, str, str]]:
    """(field path, constraint message, full message) for every constraint `value` breaks."""
    errors: list[tuple[str, str, str]] = []
    _check(shape, value, path, errors, sensitive=False)
    return errors


def _check(shape, value, path: str, errors: list, sensitive: bool) -> None:
    if value is None or getattr(shape, "is_document_type", False):
        return  # a document member holds any JSON
    sensitive = sensitive or _is_sensitive(shape)
    problems = _type_problems(shape, value)
    if problems:
        _fail(errors, value, path, problems[0], sensitive)
        return
    kind = shape.type_name
    if kind == "structure":
        _check_structure(shape, value, path, errors, sensitive)
    elif kind == "list":
        _check_list(shape, value, path, errors, sensitive)
    elif kind == "map":
        _check_map(shape, value, path, errors, sensitive)
    else:
        for constraint in scalar_problems(shape, value):
            _fail(errors, value, path, constraint, sensitive)


def _check_structure(shape, value: dict, path: str, errors: list, sensitive: bool) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            errors.append((_join(path, name), "Member must not be null",
                           f"Value null at '{_join(path, name)}' failed to satisfy constraint: Member must not be null"))
    if shape.is_tagged_union and len([k for k, v in value.items() if v is not None and k in shape.members]) != 1:
        members = ", ".join(shape.members)
        _fail(errors, value, path, f"Member must have exactly one of [{members}] set", sensitive)
    for name, member_value in value.items():
        if name in shape.members:  # AWS ignores members it does not know, and so do we
            _check(shape.members[name], member_value, _join(path, name), errors, sensitive)


def _check_list(shape, value: list, path: str, errors: list, sensitive: bool) -> None:
    for constraint in _size_problems(shape, len(value)):
        _fail(errors, value, path, constraint, sensitive)
    member = shape.member
    if _is_container(member):
        for index, item in enumerate(value, start=1):
            if item is None:
                errors.append((f"{path}.{index}.member", "Member must not be null",
                               f"Value null at '{path}.{index}.member' failed to satisfy constraint: Member must not be null"))
            else:
                _check(member, item, f"{path}.{index}.member", errors, sensitive)
        return
    broken = _member_problems(member, value)
    if broken:
        _fail(errors, value, path, f"Member must satisfy constraint: [{', '.join(broken)}]", sensitive)


def _check_map(shape, value: dict, path: str, errors: list, sensitive: bool) -> None:
    for constraint in _size_problems(shape, len(value)):
        _fail(errors, value, path, constraint, sensitive)
    broken_keys = _member_problems(shape.key, list(value.keys()))
    if broken_keys:
        _fail(errors, value, path, f"Map keys must satisfy constraint: [{', '.join(broken_keys)}]", sensitive)
    if _is_container(shape.value):
        for key, item in value.items():
            _check(shape.value, item, f"{path}.{key}", errors, sensitive)
        return
    broken_values = _member_problems(shape.value, list(value.values()))
    if broken_values:
        _fail(errors, value, path, f"Map value must satisfy constraint: [{', '.join(broken_values)}]", sensitive)


def _member_problems(shape, items: list) -> list[str]:
    """Every distinct constraint that some scalar item breaks, in the order first met."""
    found: list[str] = []
    for item in items:
        problems = ["Member must not be null"] if item is None else (_type_problems(shape, item) or scalar_problems(shape, item))
        found += [problem for problem in problems if problem not in found]
    return found


def scalar_problems(shape, value: Any) -> list[str]:
    """The constraints a string or number breaks (its type already checked)."""
    meta = shape.metadata
    kind = shape.type_name
    problems: list[str] = []
    if kind == "string":
        problems += _size_problems(shape, len(value))
        if shape.enum and value not in shape.enum:
            problems.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
        pattern = meta.get("pattern")
        if pattern and not _fullmatch(pattern, value):
            problems.append(f"Member must satisfy regular expression pattern: {pattern}")
    elif kind in NUMBERS:
        if "min" in meta and value < meta["min"]:
            problems.append(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            problems.append(f"Member must have value less than or equal to {meta['max']}")
    return problems


def _type_problems(shape, value: Any) -> list[str]:
    kind = shape.type_name
    expected = JSON_TYPES.get(kind)
    if expected is None:
        return []
    wrong = not isinstance(value, expected) or (kind in NUMBERS and isinstance(value, bool))
    return [f"Member must be of type {kind}"] if wrong else []


def _size_problems(shape, size: int) -> list[str]:
    meta = shape.metadata
    problems = []
    if "min" in meta and size < meta["min"]:
        problems.append(f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and size > meta["max"]:
        problems.append(f"Member must have length less than or equal to {meta['max']}")
    return problems


def _fail(errors: list, value: Any, path: str, constraint: str, sensitive: bool) -> None:
    shown = "" if sensitive else f" '{_render(value)}'"
    errors.append((path, constraint, f"Value{shown} at '{path}' failed to satisfy constraint: {constraint}"))


def _render(value: Any) -> str:
    """Java's toString, as AWS prints values: [a, b] and {k=v}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    return str(value)


def _is_sensitive(shape) -> bool:
    return bool(shape.metadata.get("sensitive") or shape.serialization.get("sensitive"))


def _is_container(shape) -> bool:
    return shape.type_name in ("structure", "list", "map")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _fullmatch(pattern: str, value: str) -> bool:
    # The models drop the anchors the services apply: `[a-zA-Z][a-zA-Z0-9_]{0,47}` rejects `pr-42`.
    # A Java-only construct Python cannot compile (`\p{C}`) is not checked rather than guessed.
    try:
        return re.fullmatch(pattern, value, re.DOTALL) is not None
    except re.error:
        return True
