import json
import threading
import urllib.error
import urllib.request

import pytest

from ${{ values.packageName }} import __version__
from ${{ values.packageName }}.main import APP_NAME, create_server


@pytest.fixture()
def base_url():
    server = create_server(host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_health_check_answers_ok(base_url):
    assert get(f"{base_url}/healthz") == (200, {"status": "ok"})


def test_root_names_the_app_and_its_version(base_url):
    status, body = get(f"{base_url}/")
    assert status == 200
    assert body["app"] == APP_NAME == "${{ values.app }}"
    assert body["version"] == __version__


def test_unknown_path_is_not_found(base_url):
    status, body = get(f"{base_url}/nowhere?x=1")
    assert status == 404
    assert body == {"error": "no route for /nowhere"}
