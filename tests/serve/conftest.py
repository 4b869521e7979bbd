# Fixtures for the decision server's tests: each starts the real `mandate serve` on a free
# loopback port (--listen 127.0.0.1:0; the port is on its first stdout line) over a private
# copy of the bundled examples, and talks to it over HTTP with the standard library only.
#
# The binary comes from $MANDATE_BIN (ctest sets it), else build/tools/mandate/mandate.
import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("MANDATE_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
EXAMPLES = SOURCE_DIR / "examples"


# The servers started by example_args accept this token on their control endpoints, and every
# request sends it unless a test says `token=None` (or another one).
CONTROL_TOKEN = "test-control-token-7f3a"


def mandate_binary():
    return os.environ.get("MANDATE_BIN", str(SOURCE_DIR / "build" / "tools" / "mandate" / "mandate"))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


class Server:
    """A running `mandate serve`; stderr goes to a file so tests can read the diagnostics."""

    started = 0

    def __init__(self, tmp, args):
        Server.started += 1
        self.tmp = tmp
        self.stderr_path = tmp / f"stderr-{Server.started}.log"
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(
            [mandate_binary(), "serve", "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        line = self.process.stdout.readline().decode()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not match:
            self.process.kill()
            raise AssertionError(f"no listening line: {line!r}; stderr: {self.stderr()}")
        self.port = int(match.group(1))

    def stderr(self):
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def request(self, method, path, body=None, headers=None, raw=None, token=CONTROL_TOKEN):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            all_headers = {"Content-Type": "application/json"}
            if token is not None:
                all_headers["Authorization"] = f"Bearer {token}"
            all_headers.update(headers or {})
            data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def metrics(self):
        """The Prometheus samples as {"name{labels}": value}."""
        text = self.get("/metrics").body.decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def wait_for(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=20)
        self.process.stdout.close()
        self._stderr.close()
        return code


def copy_examples(tmp):
    shutil.copytree(EXAMPLES / "policies", tmp / "policies")
    shutil.copy(EXAMPLES / "entities.json", tmp / "entities.json")
    shutil.copy(EXAMPLES / "schema.cedarschema", tmp / "schema.cedarschema")


def example_args(tmp):
    return [
        "--control-token", CONTROL_TOKEN,
        "--policies", str(tmp / "policies"),
        "--entities", str(tmp / "entities.json"),
        "--schema", str(tmp / "schema.cedarschema"),
        "--audit", str(tmp / "audit.jsonl"),
        "--reload-interval", "200",
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server over the bundled examples, shared by a module's tests that do not reload."""
    tmp = tmp_path_factory.mktemp("serve")
    copy_examples(tmp)
    running = Server(tmp, example_args(tmp))
    yield running
    assert running.stop() == 0, running.stderr()


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own, for tests that rewrite its files."""
    copy_examples(tmp_path)
    running = Server(tmp_path, example_args(tmp_path))
    yield running
    assert running.stop() == 0, running.stderr()


@pytest.fixture
def start_server(tmp_path):
    """Starts servers with any arguments; stops them at the end."""
    started = []

    def start(args):
        running = Server(tmp_path, args)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
