"""The sandbox's servers keep connections alive (see sandbox/keepalive.py for why)."""

import http.client
import socket
import threading

import pytest

from keepalive import make_server


def _ignores_bodies(environ, start_response):
    """Answers with the path and never reads the request body."""
    body = environ["PATH_INFO"].encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _streams(environ, start_response):
    """Answers without a length, in pieces (werkzeug sends them chunked)."""
    start_response("200 OK", [("Content-Type", "text/event-stream")])
    return [b"data: a\n\n", b"data: b\n\n"]


@pytest.fixture
def serve():
    servers = []

    def start(app):
        server = make_server("127.0.0.1", 0, app)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server.server_port

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_one_connection_carries_requests_whose_bodies_the_app_left_unread(serve):
    port = serve(_ignores_bodies)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    answers = []
    for number in range(3):
        connection.request("PUT", f"/request-{number}", body=b"x" * 100_000)
        response = connection.getresponse()
        answers.append((response.status, response.read(), response.getheader("Connection")))
        assert not response.will_close, "the server closed the connection"
    assert answers == [(200, f"/request-{n}".encode(), None) for n in range(3)]
    assert connection.sock is not None
    connection.close()


def test_a_streamed_answer_ends_and_the_next_request_follows(serve):
    port = serve(_streams)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    for _ in range(2):
        connection.request("POST", "/invocations", body=b"{}")
        response = connection.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.read() == b"data: a\n\ndata: b\n\n"
    connection.close()


def test_a_client_that_asks_to_close_gets_its_connection_closed(serve):
    port = serve(_ignores_bodies)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/once", headers={"Connection": "close"})
    response = connection.getresponse()
    assert response.read() == b"/once"
    assert response.will_close


def test_while_a_drop_may_come_every_answer_closes_its_connection(serve):
    drops_armed = threading.Event()
    server = make_server("127.0.0.1", 0, _ignores_bodies, keep_alive_while=lambda: not drops_armed.is_set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        connection.request("GET", "/kept")
        kept = connection.getresponse()
        assert kept.read() == b"/kept" and not kept.will_close

        drops_armed.set()
        connection.request("GET", "/closed")
        closed = connection.getresponse()
        assert closed.read() == b"/closed" and closed.will_close
        assert closed.getheader("Connection") == "close"
    finally:
        server.shutdown()
        server.server_close()


def _head_with_a_body(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def _fails_midway(environ, start_response):
    if environ["PATH_INFO"] == "/fine":
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])

    def pieces():
        yield b"abc"
        raise RuntimeError("the application broke mid-answer")

    return pieces()


def test_a_head_answer_sends_no_body_to_be_read_as_the_next_answer(serve):
    port = serve(_head_with_a_body)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"HEAD /thing HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(4096)
        connection.settimeout(0.3)
        try:
            received += connection.recv(4096)
        except socket.timeout:
            pass
        headers, _, rest = received.partition(b"\r\n\r\n")
        assert headers.startswith(b"HTTP/1.1 200") and rest == b"", received


def test_a_failure_mid_answer_closes_the_connection(serve):
    port = serve(_fails_midway)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/broken")
    answer = connection.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        answer.read()


def _reports_nodelay(environ, start_response):
    connection = environ["werkzeug.socket"]
    body = str(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)).encode()
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]


def test_answers_are_not_held_back_by_nagles_algorithm(serve):
    """An answer is written in pieces; on a kept connection Nagle's algorithm would hold each
    later piece until the client's delayed ACK, 40 ms an answer (the demo took 30 s, not 17)."""
    port = serve(_reports_nodelay)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/")
    assert connection.getresponse().read() != b"0"
