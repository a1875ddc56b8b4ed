#!/usr/bin/env bash
# Bulk translation benchmark, run on demand: `henkan translate-file --bundle` against DuckDB
# running tests/pipelines/translate.sql (the same semantics, outputs equal row for row) over N
# synthetic claims drawn from the real codes of the exported bundle (tests/pipelines/gen_claims.py).
# Usage (from anywhere): bench/bulk/run.sh [N]   (default 10000000)
#   Expects target/release/henkan (builds nothing) and a data directory holding the default
#   releases in HENKAN_DATA_DIR (default: data); Python packages in target/pipevenv (installed
#   from tests/pipelines/requirements.txt if missing). Needs /usr/bin/time (Debian package `time`).
# Measures, each with /usr/bin/time -v (wall clock and peak RSS of the whole process):
#   (a) henkan translate-file --bundle, output in input order, to a file
#   (b) DuckDB default: duckdb_translate.py --any-order (no ORDER BY)
#   (c) DuckDB keeping the input order: duckdb_translate.py --keep-order
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000000}
DATA=${HENKAN_DATA_DIR:-data}
BIN=target/release/henkan PIPE=tests/pipelines VENV=target/pipevenv PY=target/pipevenv/bin/python
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install time (Debian package 'time')" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$BIN is missing: cargo build --release --locked first" >&2; exit 1; }
if [ ! -x "$PY" ]; then python3 -m venv "$VENV"; "$VENV/bin/pip" install --quiet -r "$PIPE/requirements.txt"; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" --data-dir "$DATA" export --format parquet --out "$WORK/bundle" >/dev/null
start=$SECONDS
"$PY" "$PIPE/gen_claims.py" "$N" "$WORK/bundle" "$WORK/claims.csv" --seed 1 >/dev/null
echo "generated $N claims in $((SECONDS - start)) s ($(du -h "$WORK/claims.csv" | cut -f1))"

# measure NAME CMD...: runs CMD under /usr/bin/time -v; sets SECS_NAME and RSS_NAME (MB).
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1 ||
    { cat "$WORK/$name.log" >&2; echo "$name failed" >&2; exit 1; }
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$WORK/$name.time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/$name.time")
  printf -v "SECS_$name" '%s' "$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')"
  printf -v "RSS_$name" '%s' "$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')"
  rm -f "$WORK/out.csv"
}
measure henkan "$BIN" translate-file "$WORK/claims.csv" --bundle "$WORK/bundle" --system-column code_system \
  --code-column code --date-column service_date --to icd11-mms --to rxnorm --to loinc --out "$WORK/out.csv"
measure duckdb "$PY" "$PIPE/duckdb_translate.py" "$WORK/bundle" "$WORK/claims.csv" "$WORK/out.csv" --any-order
measure ordered "$PY" "$PIPE/duckdb_translate.py" "$WORK/bundle" "$WORK/claims.csv" "$WORK/out.csv" --keep-order

echo "$(date -u +%F) $(uname -m), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), nproc $(nproc)," \
  "$N claims ($(grep -m1 '^translated' "$WORK/henkan.log" | sed 's/ in release.*//'))"
row() { awk -v n="$N" -v s="$2" -v r="$3" -v name="$1" 'BEGIN { printf "%-34s %8.1f s %12.0f rows/s %8s MB peak RSS\n", name, s, n / s, r }'; }
row "(a) henkan translate-file --bundle" "$SECS_henkan" "$RSS_henkan"
row "(b) DuckDB default (any order)" "$SECS_duckdb" "$RSS_duckdb"
row "(c) DuckDB keeping input order" "$SECS_ordered" "$RSS_ordered"
awk -v h="$SECS_henkan" -v d="$SECS_duckdb" -v o="$SECS_ordered" -v hr="$RSS_henkan" -v dr="$RSS_duckdb" -v orr="$RSS_ordered" 'BEGIN {
  printf "henkan/duckdb-default: %.2fx the throughput, %.2fx the peak RSS\n", d / h, hr / dr
  printf "henkan/duckdb-ordered: %.2fx the throughput, %.2fx the peak RSS\n", o / h, hr / orr }'
