#!/usr/bin/env bash
# Load benchmark, run on demand: lookup, translate and search throughput and p99 of one henkan
# server on the default data (/v1, and /fhir's $lookup, $translate and $expand?filter=), each
# next to /healthz on the same server in the same run (the
# ceiling: the HTTP stack alone), and the server's RSS (and RssAnon) after start and after the
# load. wrk (Debian's package, installed if missing) runs on loopback with 2 threads × 8
# connections for DURATION seconds per route; RUNS rounds of the routes are measured.
# Usage: bench/load.sh [--bin PATH] [--data DIR] [--runs N] [--duration S]
#   --bin: the henkan binary to measure (default: builds and uses target/release/henkan)
#   --data: a data directory already holding the default releases (default: a fresh one,
#           bootstrapped first, ~35 s); the server is restarted on it before measuring.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN= DATA= RUNS=2 DURATION=10 PORT=18181
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
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
if [ -z "$DATA" ]; then
  DATA=$WORK/data
  "$BIN" --data-dir "$DATA" serve --port $PORT & PID=$!
  until curl -sf "localhost:$PORT/healthz" | grep -q '"release":"2025-08-13"'; do sleep 1; done
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
fi

# Request paths from the data itself: every concept of a few systems (lookups), the source codes
# of the three derived tables (translations), and names (searches).
"$BIN" --data-dir "$DATA" export designations > "$WORK/designations.tsv"
python3 - "$WORK" <<'PY'
import random, sys, urllib.parse
work = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(f"{work}/designations.tsv", encoding="utf-8")][1:]
random.seed(7)
codes = {}
names = []
for system, code, status, kind, term in rows:
    if kind == "display":
        codes.setdefault(system, []).append(code)
        if system in ("jp-receipt-disease", "jp-receipt-drug", "icd11-mms", "loinc") and len(term) < 30:
            names.append(term)
def sample(system, n):
    c = codes.get(system, [])
    return random.sample(c, min(n, len(c)))
with open(f"{work}/lookup.txt", "w") as f:
    for s in ("jp-receipt-disease", "jp-receipt-drug", "jp-yj", "jlac10", "icd11-mms", "loinc", "rxnorm"):
        for c in sample(s, 2000):
            f.write(f"/v1/concepts/{s}/{urllib.parse.quote(c, safe='')}\n")
with open(f"{work}/translate.txt", "w") as f:
    for s, t in (("jp-receipt-disease", "icd11-mms"), ("jlac10", "loinc"), ("jp-yj", "rxnorm")):
        for c in sample(s, 3000):
            f.write(f"/v1/translate?system={s}&code={urllib.parse.quote(c, safe='')}&target={t}\n")
with open(f"{work}/search.txt", "w") as f:
    for n in random.sample(names, 3000):
        f.write(f"/v1/search?q={urllib.parse.quote(n[: max(2, len(n) // 2)], safe='')}\n")
# /fhir: $lookup and $translate on the same kinds of codes, $expand with a filter on ICD-11.
URIS = {"jp-receipt-disease": "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease",
        "jp-receipt-drug": "urn:oid:1.2.392.100495.20.2.71", "jp-yj": "http://capstandard.jp/iyaku.info/CodeSystem/YJ-code",
        "jlac10": "http://medis.or.jp/CodeSystem/master-JLAC10-17digits", "icd11-mms": "http://id.who.int/icd/release/11/mms",
        "loinc": "http://loinc.org", "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm"}
q = lambda s: urllib.parse.quote(s, safe="")
with open(f"{work}/fhir-lookup.txt", "w") as f:
    for s in URIS:
        for c in sample(s, 2000):
            f.write(f"/fhir/CodeSystem/$lookup?system={q(URIS[s])}&code={q(c)}\n")
with open(f"{work}/fhir-translate.txt", "w") as f:
    for s, t in (("jp-receipt-disease", "icd11-mms"), ("jlac10", "loinc"), ("jp-yj", "rxnorm")):
        for c in sample(s, 3000):
            f.write(f"/fhir/ConceptMap/$translate?system={q(URIS[s])}&code={q(c)}&targetsystem={q(URIS[t])}\n")
icd_names = [t for system, code, status, kind, t in rows if system == "icd11-mms" and kind == "display" and len(t) < 30]
with open(f"{work}/fhir-expand.txt", "w") as f:
    for n in random.sample(icd_names, 3000):
        f.write(f"/fhir/ValueSet/$expand?url={q(URIS['icd11-mms'] + '?fhir_vs')}&count=10&filter={q(n[: max(3, len(n) // 2)])}\n")
with open(f"{work}/healthz.txt", "w") as f:
    f.write("/healthz\n")
PY

rss() { awk '/^VmRSS|^RssAnon/ {printf "%s %.0f MB  ", $1, $2/1024}' "/proc/$PID/status"; }
"$BIN" --data-dir "$DATA" serve --port $PORT & PID=$!
until curl -sf "localhost:$PORT/healthz" >/dev/null; do sleep 0.2; done
curl -sf "localhost:$PORT/v1/search?q=%E7%B3%96" >/dev/null   # the latest index opened
# The first /fhir $expand filter on the full ICD-11, timed from a cold /fhir (nothing read yet).
FIRST=$(curl -s -o /dev/null -w '%{time_total}' "localhost:$PORT/fhir/ValueSet/\$expand?url=http%3A%2F%2Fid.who.int%2Ficd%2Frelease%2F11%2Fmms%3Ffhir_vs&filter=diabetes&count=10")
sleep 1
echo "date: $(date -u +%FT%TZ)  machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) vCPUs, $(free -g | awk '/Mem:/ {print $2}') GB  binary: $BIN"
echo "RSS after start:    $(rss)"
echo "first /fhir \$expand?filter= on ICD-11: $(python3 -c "print(f'{$FIRST * 1000:.1f} ms')")"
run() {  # route → "req/s p50 p99 non-2xx errors"
  PATHS="$WORK/$1.txt" wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/load/paths.lua "http://127.0.0.1:$PORT" \
    | awk -F'\t' '/^RESULT/ {print $2, $3, $4, $5, $6}'
}
printf "%-4s %-10s %12s %9s %9s %8s\n" run route "req/s" "p50 ms" "p99 ms" "non-2xx"
declare -A SUM
for r in $(seq 1 "$RUNS"); do
  for route in healthz lookup translate search fhir-lookup fhir-translate fhir-expand; do
    read -r rps p50 p99 bad err < <(run $route)
    printf "%-4s %-10s %12s %9s %9s %8s\n" "$r" "$route" "$rps" "$p50" "$p99" "$((bad + err))"
    SUM[$route]=$(python3 -c "print(${SUM[$route]:-0} + $rps)")
  done
  echo "RSS after round $r:  $(rss)"
done
for route in lookup translate search fhir-lookup fhir-translate fhir-expand; do
  python3 -c "print(f'$route: {${SUM[$route]} / ${SUM[healthz]} * 100:.0f} % of /healthz req/s (mean of $RUNS runs)')"
done
