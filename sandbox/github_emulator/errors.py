"""GitHub-shaped error answers.

GitHub answers every failure with a JSON object holding `message`, `documentation_url` and,
on current servers, `status` as a string. Validation failures add an `errors` array of
`{resource, code, field}` objects (plus `message` for custom codes).
"""

from __future__ import annotations

DOCS = "https://docs.github.com/rest"
MAX_BODY_CHARS = 65536
MAX_DESCRIPTION_CHARS = 140  # of commit statuses, deployments and deployment statuses


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict] | None = None,
        documentation_url: str = DOCS,
        headers: dict[str, str] | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.documentation_url = documentation_url
        self.headers = headers or {}
        self.url = url  # where a redirect points

    def body(self) -> dict:
        body: dict = {"message": self.message}
        if self.url is not None:
            body["url"] = self.url
        if self.errors is not None:
            body["errors"] = self.errors
        body["documentation_url"] = self.documentation_url
        body["status"] = str(self.status)
        return body


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def bad_credentials() -> ApiError:
    return ApiError(401, "Bad credentials")


def validation_failed(resource: str, field: str, code: str = "invalid", message: str | None = None) -> ApiError:
    error = {"resource": resource, "code": code, "field": field}
    if message is not None:
        error["message"] = message
    return ApiError(422, "Validation Failed", errors=[error])


def missing_field(resource: str, field: str) -> ApiError:
    return validation_failed(resource, field, "missing_field")


def check_body_length(resource: str, field: str, text: str | None) -> None:
    """GitHub rejects issue and comment bodies longer than 65,536 characters."""
    if text is not None and len(text) > MAX_BODY_CHARS:
        raise validation_failed(
            resource, field, "custom", f"{field} is too long (maximum is {MAX_BODY_CHARS} characters)"
        )


def check_description_length(resource: str, text: str | None) -> None:
    if text is not None and len(text) > MAX_DESCRIPTION_CHARS:
        raise validation_failed(resource, "description", "custom",
                                f"description is too long (maximum is {MAX_DESCRIPTION_CHARS} characters)")


def required_state(data: dict, resource: str, states: tuple[str, ...]) -> str:
    """The `state` of a status: present and one of `states`."""
    state = data.get("state")
    if state is None:
        raise missing_field(resource, "state")
    if state not in states:
        raise validation_failed(resource, "state", "custom", "state is not included in the list")
    return state
