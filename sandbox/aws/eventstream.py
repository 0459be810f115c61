"""The AWS event-stream binary framing (`application/vnd.amazon.eventstream`), encoding side.

Streaming AWS operations such as Bedrock's ConverseStream answer with a sequence of messages:

    total length (uint32) | headers length (uint32) | prelude CRC32 (of the 8 bytes before it)
    headers | payload | message CRC32 (of every byte before it)

All integers are big-endian. A header is a 1-byte name length, the name, a 1-byte value type
and the value; only the string type (7, a uint16 length then UTF-8 bytes) is needed here.
"""

import json
import struct
import zlib

STRING_HEADER = 7
MAX_HEADERS_LENGTH = 128 * 1024  # the limits the format sets, which decoders enforce
MAX_PAYLOAD_LENGTH = 16 * 1024 * 1024


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    encoded_headers = b"".join(_encode_header(name, value) for name, value in headers.items())
    if len(encoded_headers) > MAX_HEADERS_LENGTH or len(payload) > MAX_PAYLOAD_LENGTH:
        raise ValueError("event-stream message too large: headers over 128 KiB or payload over 16 MiB")
    total_length = 4 + 4 + 4 + len(encoded_headers) + len(payload) + 4
    lengths = struct.pack(">II", total_length, len(encoded_headers))
    prelude = lengths + struct.pack(">I", zlib.crc32(lengths))
    message = prelude + encoded_headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def _encode_header(name: str, value: str) -> bytes:
    name_bytes, value_bytes = name.encode(), value.encode()
    if not 0 < len(name_bytes) < 256 or len(value_bytes) > 0xFFFF:
        raise ValueError(f"event-stream header {name!r}: name must be 1-255 bytes and value at most 65535")
    return struct.pack(">B", len(name_bytes)) + name_bytes + struct.pack(">BH", STRING_HEADER, len(value_bytes)) + value_bytes


def event(event_type: str, body: dict) -> bytes:
    """One event of a REST-JSON event stream, as AWS services send them."""
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return encode_message(headers, json.dumps(body, separators=(",", ":")).encode())

