#!/usr/bin/env bash
# Pipeline tests: henkan's exports read by other tools, and `henkan translate-file --bundle`
# against the same translation written in SQL for DuckDB and Spark (translate.sql).
# Usage (from the repo root): tests/pipelines/run.sh HENKAN_BIN DATA_DIR
#   HENKAN_BIN: a henkan binary; DATA_DIR: a data directory holding the published default
#   releases (only read: exported from). Python packages go to target/pipevenv (reused).
# Prints one line per step; exits non-zero if any step fails. KEEP_WORK=1 keeps the work dir.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 HENKAN_BIN DATA_DIR" >&2; exit 2; }
BIN=$(realpath "$1") DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=target/pipevenv PY=target/pipevenv/bin/python
WORK=$(mktemp -d)
FAILED=()
cleanup() { if [ ${#FAILED[@]} -eq 0 ] && [ -z "${KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi; }
trap cleanup EXIT

# step NAME CMD...: runs CMD with its output in WORK/NAME.log; prints ok/FAIL, the time and the
# log's last line (its tail on failure).
step() {
  local name=$1; shift
  local start=$SECONDS rc=0
  "$@" >"$WORK/$name.log" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  if [ $rc -eq 0 ]; then
    printf 'ok   %-20s %4ss  %s\n' "$name" "$took" "$(grep -v '^\s*$' "$WORK/$name.log" | tail -n 1 | cut -c1-200)"
  else
    printf 'FAIL %-20s %4ss  exit %s\n' "$name" "$took" "$rc"
    tail -n 25 "$WORK/$name.log" | sed 's/^/     | /'
    FAILED+=("$name")
  fi
  return $rc
}
# must NAME CMD...: a step the later ones need; stops the run when it fails.
must() { step "$@" || { echo "pipelines: stopped at $1 (failed: ${FAILED[*]})"; exit 1; }; }

venv() {
  { [ -x "$PY" ] || python3 -m venv "$VENV"; } &&
    "$VENV/bin/pip" install --quiet -r "$HERE/requirements.txt" &&
    "$PY" -c 'import duckdb, pyspark, sssom, fhir.resources; print("duckdb", duckdb.__version__, "pyspark", pyspark.__version__)'
}
translate_henkan() {  # CLAIMS OUT: henkan's report, its first line last (the step's summary)
  local rc=0
  "$BIN" translate-file "$1" --bundle "$WORK/bundle" --system-column code_system --code-column code \
    --date-column service_date --to icd11-mms --to rxnorm --to loinc --out "$2" 2>"$2.report" || rc=$?
  cat "$2.report" && head -n 1 "$2.report"
  return $rc
}

must venv venv
must export-parquet "$BIN" --data-dir "$DATA" export --format parquet --out "$WORK/bundle"
must export-sssom "$BIN" --data-dir "$DATA" export --format sssom --out "$WORK/sssom"
must export-conceptmap "$BIN" --data-dir "$DATA" export --format fhir-conceptmap --out "$WORK/conceptmap"
must gen-claims "$PY" "$HERE/gen_claims.py" 200000 "$WORK/bundle" "$WORK/claims.csv" --seed 1
must henkan translate_henkan "$WORK/claims.csv" "$WORK/henkan.csv"
must duckdb "$PY" "$HERE/duckdb_translate.py" "$WORK/bundle" "$WORK/claims.csv" "$WORK/duckdb.csv"
must spark "$PY" "$HERE/spark_translate.py" "$WORK/bundle" "$WORK/claims.csv" "$WORK/spark.csv"
step compare "$PY" "$HERE/compare.py" "$WORK/henkan.csv" "$WORK/duckdb.csv" "$WORK/spark.csv" || true
# Every system of the bundle (no-table answers, free-form code patterns) and padded codes.
must gen-edge "$PY" "$HERE/gen_claims.py" 20000 "$WORK/bundle" "$WORK/edge.csv" --seed 2 --mix all --pad
must edge-henkan translate_henkan "$WORK/edge.csv" "$WORK/edge-henkan.csv"
must edge-duckdb "$PY" "$HERE/duckdb_translate.py" "$WORK/bundle" "$WORK/edge.csv" "$WORK/edge-duckdb.csv"
must edge-spark "$PY" "$HERE/spark_translate.py" "$WORK/bundle" "$WORK/edge.csv" "$WORK/edge-spark.csv"
step edge-compare "$PY" "$HERE/compare.py" "$WORK/edge-henkan.csv" "$WORK/edge-duckdb.csv" "$WORK/edge-spark.csv" || true
step validate-sssom "$PY" "$HERE/validate_sssom.py" "$WORK/sssom" || true
step validate-conceptmap "$PY" "$HERE/validate_conceptmap.py" "$WORK/conceptmap" || true

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "pipelines: ${#FAILED[@]} steps failed: ${FAILED[*]}"
  exit 1
fi
echo "pipelines: all steps passed"
