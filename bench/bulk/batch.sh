#!/usr/bin/env bash
# Batch endpoint benchmark, run on demand: codes per second through POST /v1/translate/batch
# (10,000 items per request, the default --batch-max) on the default data, next to the same
# codes through `henkan translate-file` in the same run (the engine without HTTP and JSON: the
# ceiling), and the issue's target of 500,000 codes/s. wrk (Debian's package) posts the same
# body over 2 connections for DURATION seconds.
# Usage: bench/bulk/batch.sh [--bin PATH] [--data DIR] [--duration S]
#   --data: a data directory holding the default releases (default: a fresh one, bootstrapped).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN= DATA= DURATION=10 PORT=18182
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [ -z "$BIN" ]; then cargo build --release --locked -q; BIN=./target/release/henkan; fi
WORK=$(mktemp -d)
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export RUST_LOG=warn
if [ -z "$DATA" ]; then DATA=$WORK/data; "$BIN" --data-dir "$DATA" bootstrap >/dev/null; fi

# 10,000 codes the claims carry (receipt diseases, receipt drugs, YJ, JLAC10), from the data.
"$BIN" --data-dir "$DATA" export designations > "$WORK/designations.tsv"
python3 - "$WORK" <<'PY'
import json, random, sys
work = sys.argv[1]
random.seed(11)
codes = {}
for line in open(f"{work}/designations.tsv", encoding="utf-8"):
    system, code, status, kind, term = line.rstrip("\n").split("\t")
    if kind == "display" and system in ("jp-receipt-disease", "jp-receipt-drug", "jp-yj", "jlac10"):
        codes.setdefault(system, []).append(code)
items = [{"system": s, "code": c} for s in sorted(codes) for c in random.sample(codes[s], min(2500, len(codes[s])))]
items = (items * (10000 // len(items) + 1))[:10000]
json.dump({"items": items}, open(f"{work}/body.json", "w"))
with open(f"{work}/codes.csv", "w") as f:
    f.write("code_system,code\n")
    for _ in range(200):
        for i in items:
            f.write(f"{i['system']},{i['code']}\n")
with open(f"{work}/post.lua", "w") as f:
    f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
    f.write(f'wrk.body = io.open("{work}/body.json"):read("*a")\n')
PY

echo "date: $(date -u +%FT%TZ)  machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) vCPUs, $(free -g | awk '/Mem:/ {print $2}') GB  binary: $BIN"
start=$(date +%s.%N)
"$BIN" --data-dir "$DATA" translate-file "$WORK/codes.csv" --system-column code_system --code-column code \
  --to icd11-mms --to rxnorm --to loinc --out "$WORK/out.csv" 2>/dev/null
file_rate=$(python3 -c "print(2000000 / ($(date +%s.%N) - $start))")
"$BIN" --data-dir "$DATA" serve --port $PORT --batch-max 10000 & PID=$!
until curl -sf "localhost:$PORT/healthz" >/dev/null; do sleep 0.2; done
curl -sf -XPOST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" "localhost:$PORT/v1/translate/batch" >/dev/null
rps=$(wrk -t2 -c2 -d"${DURATION}s" -s "$WORK/post.lua" "http://127.0.0.1:$PORT/v1/translate/batch" | awk '/Requests\/sec/ {print $2}')
python3 - "$rps" "$file_rate" <<'PY'
import sys
rps, file_rate = float(sys.argv[1]), float(sys.argv[2])
codes = rps * 10000
print(f"POST /v1/translate/batch: {rps:.1f} req/s x 10,000 items = {codes:,.0f} codes/s")
print(f"translate-file, same codes (2,000,000 rows): {file_rate:,.0f} rows/s")
print(f"batch / translate-file: {codes / file_rate:.2f}x; batch / target 500,000 codes/s: {codes / 500000:.2f}x")
PY
