#!/usr/bin/env bash
# Search benchmark, run on demand: henkan vs PostgreSQL pg_trgm vs SQLite FTS5 on the same corpus
# and queries, all on this machine (loopback only). Installs what is missing (Debian's
# postgresql, PyPI's psycopg2-binary), starts a throw-away PostgreSQL and a henkan server on the
# default data, runs bench/search_quality.py, and stops both.
# Usage: bench/search_bench.sh [--full] [queries.tsv]   (default ../shared/eval/search-public.tsv)
#   --full: everything in ../shared/data as one release (bench/publish_all.sh) instead of the
#           default data.
set -euo pipefail
cd "$(dirname "$0")/.."
FULL=
if [ "${1:-}" = "--full" ]; then FULL=1; shift; fi
QUERIES=${1:-../shared/eval/search-public.tsv}
WORK=$(mktemp -d)
PGPORT=54329
HKPORT=18180
cleanup() {
  [ -n "${HK_PID:-}" ] && kill "$HK_PID" 2>/dev/null || true
  [ -d "$WORK/pg" ] && su postgres -c "$PGBIN/pg_ctl -D $WORK/pg -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL and its Python driver.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
python3 -c "import psycopg2" 2>/dev/null || pip install -q psycopg2-binary
mkdir -p "$WORK/pg" && chown postgres "$WORK" "$WORK/pg"
su postgres -c "$PGBIN/initdb -D $WORK/pg -A trust -U postgres --no-instructions" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $WORK/pg -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK/pg' -l $WORK/pg.log -w start" >/dev/null

# henkan on the default data (or the full data): publish once, export the corpus, then serve.
cargo build --release --locked -q
H="./target/release/henkan --data-dir $WORK/data"
export RUST_LOG=warn
if [ -n "$FULL" ]; then
  bench/publish_all.sh "$WORK/data"
else
  $H serve --port $HKPORT & HK_PID=$!
  until curl -sf "localhost:$HKPORT/healthz" | grep -q '"release":"2025-08-13"'; do sleep 1; done
  kill "$HK_PID"; wait "$HK_PID" 2>/dev/null || true
fi
$H export designations > "$WORK/corpus.tsv"
# henkan in process (embedded, like SQLite in the Python script): bench/latency calls the Service
# facade in a loop, one run per query. Built into the same target directory (its dependencies are
# the ones just built).
CARGO_TARGET_DIR="$PWD/target" cargo build --release -q --manifest-path bench/latency/Cargo.toml
./target/release/henkan-search-latency "$WORK/data" "$QUERIES" --repeat 1 --tsv "$WORK/inprocess.tsv"
$H serve --port $HKPORT & HK_PID=$!
until curl -sf "localhost:$HKPORT/healthz" >/dev/null; do sleep 0.2; done

python3 bench/search_quality.py --url "http://127.0.0.1:$HKPORT" --queries "$QUERIES" --corpus "$WORK/corpus.tsv" \
  --pg-dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres" --suggest --inprocess "$WORK/inprocess.tsv"
