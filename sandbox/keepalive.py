"""HTTP/1.1 keep-alive for the sandbox's werkzeug servers.

werkzeug ends every answer with `Connection: close`, because Python's http.server cannot skip a
request body the application left unread, and then drains the socket for the same reason. So
every request the tools sent the sandbox came on a new connection, and FoundationNetworking on
Linux busy-polls a new connection's socket until its first exchange ends: each executable kept
a core busy for as long as the sandbox took to answer. Here every body is read before the
application runs, so a connection can carry the next request, and nothing is drained.

While a fault rule may drop a connection, every answer closes its connection as before: a drop
on a connection kept from an earlier exchange leaves FoundationNetworking waiting out its
request timeout (60 s) instead of failing at once, which is what a dropped connection tests.
"""

from __future__ import annotations

import io

from werkzeug import serving
from werkzeug.serving import WSGIRequestHandler


class KeepAliveHandler(WSGIRequestHandler):
    """Leaves the connection open after an answer, unless the client or an error closes it."""

    protocol_version = "HTTP/1.1"
    # An answer goes out in several small writes (status and headers, then the body). On a kept
    # connection Nagle's algorithm holds each later one until the client's delayed ACK (40 ms);
    # closing the connection used to flush them.
    disable_nagle_algorithm = True

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and not self.close_connection \
                and self.server.keep_alive_while():
            return  # the client did not ask to close, and http.server would close after this answer
        super().send_header(keyword, value)

    def run_wsgi(self) -> None:
        super().run_wsgi()
        # werkzeug closes after a failure mid-answer only when the answer is chunked; one with a
        # Content-Length would leave the client waiting for bytes that never come.
        if self.environ.get(FAILED_KEY):
            self.close_connection = True


FAILED_KEY = "keepalive.failed"


def reading_bodies_first(app):
    """The WSGI application with each request body read whole before it runs: whatever the
    application reads or leaves, the next request on the connection starts where it should.
    A HEAD answer loses any body the application gave it (werkzeug would send it, and the client
    would read it as the start of the next answer), and a failure marks the connection to close."""

    def application(environ, start_response):
        stream = environ["wsgi.input"]
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's stream ends with the body
            body = stream.read()
        else:
            length = environ.get("CONTENT_LENGTH") or "0"
            body = stream.read(int(length)) if length.isdigit() and int(length) > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            answer = app(environ, start_response)
            if environ["REQUEST_METHOD"] == "HEAD":
                for _ in answer:
                    pass
                if hasattr(answer, "close"):
                    answer.close()
                return []
        except BaseException:
            environ[FAILED_KEY] = True
            raise
        return _marking_failures(answer, environ)

    return application


def _marking_failures(answer, environ):
    try:
        yield from answer
    except BaseException:
        environ[FAILED_KEY] = True
        raise
    finally:
        if hasattr(answer, "close"):
            answer.close()


class _NothingToDrain:
    """Stands in for werkzeug's after-answer drain selector: with every body read first, what is
    left on a kept-alive connection is the client's next request, which the drain would swallow."""

    def register(self, *args, **kwargs) -> None:
        pass

    def select(self, timeout=None) -> list:
        return []

    def close(self) -> None:
        pass


class _Selectors:
    EVENT_READ = serving.selectors.EVENT_READ
    DefaultSelector = _NothingToDrain


def make_server(host: str, port: int, app, handler: type[KeepAliveHandler] = KeepAliveHandler,
                keep_alive_while=lambda: True):
    """A threaded werkzeug server on `host:port` that keeps connections alive while
    `keep_alive_while()` is true (it is asked at each answer)."""
    serving.selectors = _Selectors  # werkzeug.serving uses it for the drain alone
    server = serving.make_server(host, port, reading_bodies_first(app), threaded=True, request_handler=handler)
    server.keep_alive_while = keep_alive_while
    return server
