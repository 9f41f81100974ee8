"""The HTTP side of the tests' cloud API stand-ins: a local server that hands each request to one function, one
request at a time, and writes its answer back as JSON."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# (method, path, query parameters, body, request headers) → (status, JSON payload, response headers)
Answer = Callable[[str, str, dict[str, list[str]], bytes, Message], tuple[int, dict, dict[str, str]]]


class JsonServer:
    """`answer` served on 127.0.0.1 (HTTPS with `tls`), on a port of its own: `url`; `start()` and `stop()`."""

    def __init__(self, answer: Answer, tls: ssl.SSLContext | None = None) -> None:
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    code, payload, headers = answer(self.command, parts.path, parse_qs(parts.query), body, self.headers)
                data = json.dumps(payload).encode() if payload else b""
                self.send_response(code)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
