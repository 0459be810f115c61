"""Input validation as AWS services do it, driven by the botocore model's constraints.

AWS checks every member against its shape (required, length, range, pattern, enum) before an
operation runs and answers `ValidationException` with one line per failed field. moto checks
none of it, so a name like `pr-42` or a missing `roleArn` would pass locally and fail in AWS.
"""

import re


def validation_errors(shape, value, path: str = "") -> list[tuple[str, str, str]]:
    """(field path, constraint message, full message) for every constraint `value` breaks."""
    errors: list[tuple[str, str, str]] = []
    _check(shape, value, path, errors)
    return errors


def _fail(errors, shape, value, path, constraint):
    shown = "" if shape.metadata.get("sensitive") or shape.serialization.get("sensitive") else f" '{value}'"
    if value is None:
        shown = " null"
    errors.append((path, constraint, f"Value{shown} at '{path}' failed to satisfy constraint: {constraint}"))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _check(shape, value, path, errors):
    if value is None:
        return
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                _fail(errors, shape.members[name], None, _join(path, name), "Member must not be null")
        if shape.is_tagged_union and len([k for k, v in value.items() if v is not None]) != 1:
            _fail(errors, shape, "...", path, "Member must have exactly one member set")
        for name, member_value in value.items():
            if name in shape.members:
                _check(shape.members[name], member_value, _join(path, name), errors)
    elif kind == "list":
        if not isinstance(value, list):
            return
        _check_length(errors, shape, value, path, len(value))
        for item in value:
            _check(shape.member, item, _join(path, "member"), errors)
    elif kind == "map":
        if not isinstance(value, dict):
            return
        _check_length(errors, shape, value, path, len(value))
        for key, item in value.items():
            _check(shape.key, key, _join(path, "key"), errors)
            _check(shape.value, item, _join(path, "value"), errors)
    elif kind == "string":
        if not isinstance(value, str):
            return
        _check_length(errors, shape, value, path, len(value))
        if shape.enum and value not in shape.enum:
            _fail(errors, shape, value, path, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
        pattern = meta.get("pattern")
        if pattern and not _fullmatch(pattern, value):
            _fail(errors, shape, value, path, f"Member must satisfy regular expression pattern: {pattern}")
    elif kind in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            _fail(errors, shape, value, path, f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            _fail(errors, shape, value, path, f"Member must have value less than or equal to {meta['max']}")


def _check_length(errors, shape, value, path, length):
    meta = shape.metadata
    if "min" in meta and length < meta["min"]:
        _fail(errors, shape, value, path, f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and length > meta["max"]:
        _fail(errors, shape, value, path, f"Member must have length less than or equal to {meta['max']}")


def _fullmatch(pattern: str, value: str) -> bool:
    # The models drop the anchors the services apply: `[a-zA-Z][a-zA-Z0-9_]{0,47}` rejects `pr-42`.
    try:
        return re.fullmatch(pattern, value, re.DOTALL) is not None
    except re.error:
        return True
