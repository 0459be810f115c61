"""A deterministic stand-in for the Bedrock model API (`bedrock-runtime`: Converse, ConverseStream).

The agents the sandbox runs reach it through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, so an agent
answers offline through its real code path (Strands calls ConverseStream). The answer depends
only on the request: the system prompt picks a persona by keyword (a haiku bot gets a haiku, a
dad-joke bot a dad joke), so two prompt files visibly give two different agents.
"""

import json
import re
import uuid
from dataclasses import dataclass

from . import eventstream
from .errors import ErrorReply
from .request import AwsRequest

SERVICE = "bedrock"  # the signing name of bedrock-runtime
API = "bedrock-runtime"  # botocore's name for it


@dataclass(frozen=True)
class Persona:
    keywords: tuple[str, ...]  # any of them in the system prompt (case-insensitive) picks this persona
    answer: str


# Checked in order: the first persona whose keyword the system prompt contains answers.
PERSONAS = (
    Persona(("haiku",), "Code sleeps in the zip\nthe sandbox wakes it gently\nit answers, then rests"),
    Persona(("dad joke", "joke", "pun"), "I told my computer a joke about UDP. I'm not sure it got it."),
    Persona(("motivational", "quote"),
            "\"Small steps still move you forward.\" Pick the task you have been putting off and give it ten minutes today."),
)
FALLBACK_ANSWER = "This is the sandbox's stand-in model. It heard: {prompt}"


def answer_for(system_prompt: str, user_text: str) -> str:
    lowered = system_prompt.lower()
    for persona in PERSONAS:
        if any(keyword in lowered for keyword in persona.keywords):
            return persona.answer
    return FALLBACK_ANSWER.format(prompt=" ".join(user_text.split())[:200])


def handles(request: AwsRequest) -> bool:
    return request.service == SERVICE and request.api == API


def serve(request: AwsRequest, start_response):
    """Converse gets JSON and ConverseStream an event stream, whatever the model id; the request
    has passed the front door (signature, faults) already."""
    if request.operation not in ("Converse", "ConverseStream"):
        return _error(start_response, request.method, ErrorReply(
            SERVICE, 400, "ValidationException",
            f"The sandbox's Bedrock stand-in answers Converse and ConverseStream only, not {request.operation}"))
    try:
        document = json.loads(request.body or b"{}")
        if not isinstance(document, dict):
            raise ValueError("the body is not a JSON object")
        system_prompt, user_text = _read_conversation(document)
    except (ValueError, TypeError, AttributeError) as error:
        return _error(start_response, request.method, ErrorReply(
            SERVICE, 400, "ValidationException", f"Malformed request body: {error}"))
    text = answer_for(system_prompt, user_text)
    usage = {"inputTokens": len(f"{system_prompt} {user_text}".split()), "outputTokens": len(text.split())}
    usage["totalTokens"] = usage["inputTokens"] + usage["outputTokens"]
    headers = [("x-amzn-RequestId", str(uuid.uuid4()))]
    if request.operation == "Converse":
        body = json.dumps({
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": usage,
            "metrics": {"latencyMs": 1},
        }).encode()
        start_response("200 OK", headers + [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    start_response("200 OK", headers + [("Content-Type", "application/vnd.amazon.eventstream")])
    return _stream(text, usage)


def _stream(text: str, usage: dict):
    """The events Bedrock sends for a text answer, one delta per word (with its trailing space)."""
    yield eventstream.event("messageStart", {"role": "assistant"})
    for piece in re.findall(r"\S+\s*", text):
        yield eventstream.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}})
    yield eventstream.event("contentBlockStop", {"contentBlockIndex": 0})
    yield eventstream.event("messageStop", {"stopReason": "end_turn"})
    yield eventstream.event("metadata", {"usage": usage, "metrics": {"latencyMs": 1}})


def _read_conversation(document: dict) -> tuple[str, str]:
    """The system prompt's text blocks joined, and the text of the last user message."""
    system = " ".join(block["text"] for block in document.get("system") or [] if "text" in block)
    messages = document.get("messages") or []
    user_text = ""
    for message in reversed(messages):
        if message.get("role") == "user":
            user_text = " ".join(block["text"] for block in message.get("content") or [] if "text" in block)
            break
    return system, user_text


def _error(start_response, method: str, reply: ErrorReply):
    status, headers, body = reply.render(method)
    start_response(status, headers)
    return [body]
