"""The Bedrock model stand-in: event-stream framing botocore accepts, deterministic persona answers."""

import json
import struct
import zlib

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer
from botocore.exceptions import ClientError

from aws import bedrock_standin, eventstream
from conftest import ROOT


def decode(data: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


class TestEventStreamEncoder:
    def test_botocore_decodes_what_we_encode(self):
        data = eventstream.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "héllo "}})
        data += eventstream.encode_message({":message-type": "event", ":event-type": "messageStop"}, b"")
        first, second = decode(data)
        assert first.headers == {":event-type": "contentBlockDelta", ":content-type": "application/json",
                                 ":message-type": "event"}
        assert json.loads(first.payload) == {"contentBlockIndex": 0, "delta": {"text": "héllo "}}
        assert (second.headers[":event-type"], second.payload) == ("messageStop", b"")

    def test_the_prelude_and_message_crcs_are_exact(self):
        data = eventstream.encode_message({"a": "b"}, b"payload")
        total, headers_length, prelude_crc = struct.unpack(">III", data[:12])
        assert (total, headers_length) == (len(data), 1 + 1 + 1 + 2 + 1)
        assert prelude_crc == zlib.crc32(data[:8])
        assert struct.unpack(">I", data[-4:])[0] == zlib.crc32(data[:-4])

    def test_a_corrupted_byte_is_caught_by_botocores_checksum(self):
        data = bytearray(eventstream.event("messageStart", {"role": "assistant"}))
        data[-6] ^= 0x01  # inside the payload
        with pytest.raises(ChecksumMismatch):
            decode(bytes(data))

    def test_oversized_headers_are_refused(self):
        with pytest.raises(ValueError):
            eventstream.encode_message({"h" * 256: "v"}, b"")


def prompt(name: str) -> str:
    return (ROOT / "prompts" / name).read_text()


class TestPersonas:
    def test_the_repository_prompts_get_different_answers(self):
        answers = {name: bedrock_standin.answer_for(prompt(name), "autumn")
                   for name in ("dad_joke_bot.txt", "haiku_bot.txt", "motivational_quotes_bot.txt")}
        assert answers["haiku_bot.txt"] == bedrock_standin.PERSONAS[0].answer
        assert len(answers["haiku_bot.txt"].splitlines()) == 3
        assert "joke" in answers["dad_joke_bot.txt"]
        assert len(set(answers.values())) == 3

    def test_an_unknown_prompt_echoes_the_question_deterministically(self):
        first = bedrock_standin.answer_for("You are a helpful assistant.", "What is   AgentCore?")
        assert first == bedrock_standin.answer_for("You are a helpful assistant.", "What is   AgentCore?")
        assert first.endswith("It heard: What is AgentCore?")


def conversation(system: str, text: str = "Tell me about autumn") -> dict:
    return {"modelId": "global.anthropic.claude-sonnet-4-6", "system": [{"text": system}],
            "messages": [{"role": "user", "content": [{"text": text}]}]}


class TestThroughBoto3:
    def test_converse_stream_streams_the_persona_answer(self, sandbox):
        client = sandbox.client("bedrock-runtime")
        answer = client.converse_stream(**conversation(prompt("haiku_bot.txt")))
        events = list(answer["stream"])
        assert events[0] == {"messageStart": {"role": "assistant"}}
        deltas = [e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e]
        assert len(deltas) > 1
        assert "".join(deltas) == bedrock_standin.PERSONAS[0].answer
        assert {"messageStop": {"stopReason": "end_turn"}} in events
        usage = events[-1]["metadata"]["usage"]
        assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]

    def test_converse_answers_json(self, sandbox):
        answer = sandbox.client("bedrock-runtime").converse(**conversation(prompt("dad_joke_bot.txt")))
        assert answer["output"]["message"]["content"] == [{"text": bedrock_standin.PERSONAS[1].answer}]
        assert answer["stopReason"] == "end_turn"

    def test_calls_are_signed_logged_and_named(self, sandbox):
        sandbox.control("DELETE", "/_sandbox/requests")
        sandbox.client("bedrock-runtime").converse(**conversation("haiku"))
        logged = sandbox.control("GET", "/_sandbox/requests")[1]["requests"]
        assert [(r["service"], r["operation"], r["status"]) for r in logged] == [("bedrock", "Converse", 200)]
        stranger = sandbox.client("bedrock-runtime", retries=False, aws_secret_access_key="x" * 40)
        with pytest.raises(ClientError) as excinfo:
            stranger.converse(**conversation("haiku"))
        assert excinfo.value.response["Error"]["Code"] == "InvalidSignatureException"

    def test_other_model_operations_are_refused_by_name(self, sandbox):
        with pytest.raises(ClientError) as excinfo:
            sandbox.client("bedrock-runtime", retries=False).invoke_model(modelId="m", body=b"{}")
        assert excinfo.value.response["Error"]["Code"] == "ValidationException"
        assert "InvokeModel" in excinfo.value.response["Error"]["Message"]
