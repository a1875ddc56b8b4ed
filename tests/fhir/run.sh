#!/usr/bin/env bash
# FHIR checks against a live henkan on a data directory: HL7's tx-ecosystem test cases (with the
# committed pass list catching regressions), every kind of /fhir resource validated with
# fhir.resources, and fhirpy driving $lookup/$translate/$expand with Japanese codes.
# Usage (from the repo root): tests/fhir/run.sh HENKAN_BIN DATA_DIR
#   Python packages go to target/pipevenv (shared with tests/pipelines). Exits non-zero if any
#   check fails. TX_TESTS overrides the test cases' directory.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 HENKAN_BIN DATA_DIR" >&2; exit 2; }
BIN=$(realpath "$1") DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
TX_TESTS=${TX_TESTS:-$HERE/../../../shared/conformance/fhir-tx-ecosystem/tests}
VENV=target/pipevenv PY=target/pipevenv/bin/python
{ [ -x "$PY" ] || python3 -m venv "$VENV"; }
"$VENV/bin/pip" install --quiet -r "$HERE/requirements.txt"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp)
"$BIN" --data-dir "$DATA" serve --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -f "$LOG" "$LOG.validate"' EXIT
for _ in $(seq 1 120); do
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  kill -0 $SERVER 2>/dev/null || { echo "henkan did not start:"; cat "$LOG"; exit 1; }
  sleep 0.5
done
BASE="http://127.0.0.1:$PORT/fhir"
rc=0
echo "== HL7 tx-ecosystem test cases"
"$PY" "$HERE/tx_runner.py" "$BASE" "$TX_TESTS" --pass-list "$HERE/tx-pass.txt" || rc=1
echo "== fhir.resources validation"
"$PY" "$HERE/validate_resources.py" "$BASE" >"$LOG.validate" 2>&1 || rc=1
grep -v '^ok' "$LOG.validate" || true
echo "== fhirpy client"
"$PY" "$HERE/client_test.py" "$BASE" || rc=1
exit $rc
