"""The HTTP admin listener's Basic auth against ACL users (server/http/http_auth.h).

A real HTTP client (urllib, and curl for the challenge) asks drayman-server's listener with each
kind of credentials: an enabled ACL user holding what the listener shows (INFO, CLIENT LIST, read
access to every key) is let in, a user lacking one of those gets 403, wrong passwords, unknown
credentials and disabled users get 401, and the default user's password with any other name
works as it did with requirepass alone. Changes by ACL SETUSER apply to the next request.
Drayman only: redis-server has no HTTP listener.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest
import redis

from servers import DraymanProcess

# The README's monitoring user.
MONITOR_RULES = ["on", ">watch", "resetchannels", "%R~*", "-@all", "+info", "+client|list"]


def http_get(port: int, path: str, credentials: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if credentials is not None:
        token = base64.b64encode(credentials.encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def server():
    with DraymanProcess("--http-port", "0", "--requirepass", "pw",
                        "--user", "monitor", *MONITOR_RULES,
                        "--user", "celery", "on", ">tasks", "~celery*", "+@all",
                        "--user", "retired", "off", ">old", "~*", "+@all") as process:
        admin = redis.Redis(port=process.port, password="pw")
        process.http_port = int(admin.config_get("http-port")["http-port"])
        process.admin = admin
        yield process
        admin.close()


def test_acl_users_by_name_and_password(server):
    port = server.http_port
    assert http_get(port, "/metrics")[0] == 401
    status, body = http_get(port, "/metrics", "monitor:watch")
    assert status == 200 and "\nredis_up 1\n" in body
    assert http_get(port, "/api/queues", "monitor:watch")[0] == 200
    assert http_get(port, "/api/clients", "monitor:watch")[0] == 200
    assert http_get(port, "/metrics", "monitor:wrong") == (401, "Unauthorized\n")
    # A user's name with the default user's password is that user's attempt, and wrong.
    assert http_get(port, "/metrics", "monitor:pw")[0] == 401
    assert http_get(port, "/metrics", "retired:old")[0] == 401  # disabled
    assert http_get(port, "/metrics", "nobody:watch")[0] == 401
    # The default user's password with any other name, as with requirepass before ACL users.
    assert http_get(port, "/metrics", "prometheus:pw")[0] == 200
    assert http_get(port, "/metrics", "default:pw")[0] == 200


def test_users_without_the_listeners_permissions_get_403(server):
    port = server.http_port
    # celery may run everything but reads only celery* keys: /api/queue would show others'.
    assert http_get(port, "/metrics", "celery:tasks") == (403, "Forbidden\n")
    assert server.admin.acl_setuser("monitor", enabled=True, commands=["-client|list"])
    assert http_get(port, "/api/server", "monitor:watch")[0] == 403
    assert server.admin.acl_setuser("monitor", enabled=True, commands=["+client|list", "-info"])
    assert http_get(port, "/api/server", "monitor:watch")[0] == 403
    assert server.admin.acl_setuser("monitor", enabled=True, commands=["+info"], reset_keys=True,
                                    keys=["%W~*"])
    assert http_get(port, "/api/server", "monitor:watch")[0] == 403
    assert server.admin.acl_setuser("monitor", enabled=True, keys=["%R~*"])
    assert http_get(port, "/api/server", "monitor:watch")[0] == 200


def test_acl_changes_apply_to_the_next_request(server):
    port = server.http_port
    assert http_get(port, "/metrics", "retired:old")[0] == 401
    assert server.admin.acl_setuser("retired", enabled=True)
    assert http_get(port, "/metrics", "retired:old")[0] == 200
    assert server.admin.acl_setuser("monitor", enabled=False)
    assert http_get(port, "/metrics", "monitor:watch")[0] == 401
    assert server.admin.acl_deluser("retired") == 1
    assert http_get(port, "/metrics", "retired:old")[0] == 401
    # Without a password for the default user everyone is let in, as every RESP client is.
    server.admin.config_set("requirepass", "")
    assert http_get(port, "/metrics")[0] == 200


def test_curl_gets_the_basic_challenge_and_passes_with_a_user(server):
    curl = shutil.which("curl")
    assert curl, "curl is installed by tools/install-deps.sh"
    url = f"http://127.0.0.1:{server.http_port}/metrics"
    refused = subprocess.run([curl, "-s", "-i", url], capture_output=True, text=True, timeout=10)
    assert refused.stdout.startswith("HTTP/1.1 401 Unauthorized\n")  # text mode: \r\n read as \n
    assert 'WWW-Authenticate: Basic realm="drayman"' in refused.stdout
    allowed = subprocess.run([curl, "-s", "-f", "-u", "monitor:watch", url], capture_output=True,
                             text=True, timeout=10)
    assert allowed.returncode == 0 and "redis_up 1" in allowed.stdout
