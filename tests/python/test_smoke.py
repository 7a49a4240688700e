"""The server binary answers real redis-py clients in both protocols."""


def test_ping(client):
    assert client.ping() is True
    assert client.echo("hello") == b"hello"


def test_unknown_command_error_text(client):
    import redis

    try:
        client.execute_command("NOSUCHCMD", "a")
    except redis.ResponseError as error:
        assert str(error) == "unknown command 'NOSUCHCMD', with args beginning with: 'a' "
    else:
        raise AssertionError("expected an error")
