#!/usr/bin/env bash
# Used by `make run`: exits 1 with a clear message when 127.0.0.1:<port> is already taken (often
# Debian's redis-server service on 6379), instead of stopping whatever holds it.
# Usage: tools/check-port.sh <port>
set -euo pipefail
port="${1:?usage: tools/check-port.sh <port>}"
if python3 - "$port" <<'PY'
import socket, sys
probe = socket.socket()
probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    probe.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    probe.close()
PY
then
  exit 0
fi
holder=""
if command -v ss >/dev/null; then
  holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(("[^"]*"' | head -1 | cut -d'"' -f2 || true)
fi
echo "make run: port $port on 127.0.0.1 is already in use${holder:+ by $holder}." >&2
if [ "$holder" = "redis-server" ]; then
  echo "  That is probably Debian's redis-server service; Drayman leaves it running." >&2
fi
echo "  Run Drayman on another port:  make run PORT=6380" >&2
exit 1
