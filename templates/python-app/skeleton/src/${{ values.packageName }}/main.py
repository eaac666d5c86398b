"""An HTTP service on the Python standard library: JSON on `/`, a health check on `/healthz`."""

import json
import logging
import os
import signal
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import __version__

APP_NAME = "${{ values.app }}"

log = logging.getLogger(APP_NAME)


class Handler(BaseHTTPRequestHandler):
    """Answers every request with JSON."""

    server_version = f"{APP_NAME}/{__version__}"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = urlsplit(self.path).path
        if path == "/healthz":
            self._send(HTTPStatus.OK, {"status": "ok"})
        elif path == "/":
            self._send(HTTPStatus.OK, {"app": APP_NAME, "version": __version__, "message": "Hello from luban!"})
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": f"no route for {path}"})

    def _send(self, status: HTTPStatus, body: dict) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the signature http.server calls
        log.info("%s %s", self.address_string(), format % args)


def create_server(host: str = "0.0.0.0", port: int = 8080) -> ThreadingHTTPServer:
    """The server, bound but not yet serving; port 0 picks a free port."""
    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    port = int(os.environ.get("PORT", "8080"))
    server = create_server(port=port)
    # Kubernetes stops a pod with SIGTERM: stop accepting requests and exit cleanly.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log.info("%s %s listening on port %d", APP_NAME, __version__, port)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
