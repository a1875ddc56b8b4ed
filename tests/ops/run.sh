#!/usr/bin/env bash
# Operations checks against a live henkan on a data directory: the /metrics page parsed by
# prometheus_client's parser, and schemathesis over every /v1 operation of the served contract
# (its default checks plus response-schema conformance), with a curator token.
# Usage (from the repo root): tests/ops/run.sh HENKAN_BIN DATA_DIR
#   Python packages (tests/ops/requirements.txt) go to target/pipevenv. ST_MAX_EXAMPLES sizes the
#   schemathesis run (default 25 per operation). Exits non-zero if any check fails.
#   schemathesis writes curation decisions into the data directory's draft: give it a copy.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 HENKAN_BIN DATA_DIR" >&2; exit 2; }
BIN=$(realpath "$1") DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=target/pipevenv PY=target/pipevenv/bin/python
{ [ -x "$PY" ] || python3 -m venv "$VENV"; }
"$VENV/bin/pip" install --quiet -r "$HERE/requirements.txt"

TOKEN=$("$BIN" --data-dir "$DATA" token create --name schemathesis --role admin 2>/dev/null | tail -n 1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp)
"$BIN" --data-dir "$DATA" serve --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -f "$LOG"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$BASE/readyz" 2>/dev/null && break
  kill -0 $SERVER 2>/dev/null || { echo "henkan did not start:"; cat "$LOG"; exit 1; }
  sleep 0.5
done
rc=0
echo "== /metrics parsed by prometheus_client"
"$PY" "$HERE/check_metrics.py" "$BASE" || rc=1
echo "== schemathesis over $BASE/v1/openapi.json"
PYTHONPATH="$HERE" SCHEMATHESIS_HOOKS=st_hooks "$VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" \
  run "$BASE/v1/openapi.json" \
  --url "$BASE" --max-examples "${ST_MAX_EXAMPLES:-25}" --seed 20261203 \
  --header "Authorization: Bearer $TOKEN" --no-color || rc=1
if ! kill -0 $SERVER 2>/dev/null; then echo "henkan exited during the checks:"; tail -50 "$LOG"; rc=1; fi
exit $rc
