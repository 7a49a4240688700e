"""redis-cli SHUTDOWN stops drayman-server the way it stops redis-server."""

import subprocess

import pytest

from servers import DraymanProcess


@pytest.mark.parametrize("arguments", [["SHUTDOWN"], ["SHUTDOWN", "NOSAVE"]])
def test_redis_cli_shutdown_stops_the_server(arguments):
    with DraymanProcess() as server:
        done = subprocess.run(["redis-cli", "-p", str(server.port), *arguments],
                              capture_output=True, timeout=30)
        assert done.returncode == 0, done.stderr
        assert done.stdout == b""  # no reply: the connection closes
        assert server.proc.wait(timeout=10) == 0
