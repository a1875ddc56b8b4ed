#!/usr/bin/env python3
"""Search quality and latency of henkan, next to PostgreSQL pg_trgm and SQLite FTS5 (trigram).

Usage:
  bench/search_quality.py --url http://127.0.0.1:8080 [--queries ../shared/eval/search-public.tsv]
      [--corpus corpus.tsv] [--pg-dsn "host=127.0.0.1 port=54329 dbname=postgres user=postgres"]

The query file is tab-separated with a header: qid, type, query, expected (space-separated
`system|code`). The corpus (from `henkan export designations`) is loaded into the peers: SQLite
FTS5 with the trigram tokenizer (in process) and PostgreSQL pg_trgm with a GiST index ordered by
similarity distance (over loopback), each both raw and folded (NFKC, lower case,
katakana → hiragana), as the issue describes. Prints recall@10 and MRR@10 per query type and
overall, latency percentiles (henkan: server-side took_ms, client round trip and, with --inprocess, its
Service called in one process; peers: client round trip, SQLite in this process), and henkan's
ratios against each peer. bench/search_bench.sh sets everything up.
"""
import argparse
import collections
import json
import sqlite3
import time
import unicodedata
import urllib.parse
import urllib.request

K = 10


def fold(s):
    s = unicodedata.normalize("NFKC", s).lower()
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in s)


def load_queries(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def load_corpus(path):
    with open(path, encoding="utf-8") as f:
        f.readline()
        for line in f:
            system, code, _status, _kind, term = line.rstrip("\n").split("\t", 4)
            yield system, code, term


def evaluate(name, queries, search):
    per_type = collections.defaultdict(lambda: [0, 0.0, 0])
    lat = []
    by_type = collections.defaultdict(list)
    for r in queries:
        expected = set(r["expected"].split())
        t0 = time.perf_counter()
        got = search(r["query"])
        lat.append((time.perf_counter() - t0) * 1000)
        by_type[r["type"]].append(lat[-1])
        rank = next((i + 1 for i, g in enumerate(got[:K]) if g in expected), None)
        t = per_type[r["type"]]
        t[2] += 1
        if rank:
            t[0] += 1
            t[1] += 1.0 / rank
    return {"name": name, "types": dict(per_type), "lat": sorted(lat), "by_type": by_type}


def pct(xs, q):
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def dedupe(rows):
    out = []
    for s, c in rows:
        key = f"{s}|{c}"
        if key not in out:
            out.append(key)
        if len(out) == K:
            break
    return out


def henkan_engine(url, server_lat):
    def search(q):
        body = json.loads(urllib.request.urlopen(f"{url}/v1/search?q={urllib.parse.quote(q)}&limit={K}").read())
        server_lat.append(body["took_ms"])
        return [f"{h['system']}|{h['code']}" for h in body["results"]]

    urllib.request.urlopen(f"{url}/v1/search?q=warmup").read()
    return search


def sqlite_engine(corpus, folded):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE d USING fts5(system UNINDEXED, code UNINDEXED, term, tokenize='trigram')")
    db.executemany("INSERT INTO d VALUES (?, ?, ?)", ((s, c, fold(t) if folded else t) for s, c, t in corpus))

    def search(q):
        q = fold(q) if folded else q
        if len(q) < 3:
            return []
        phrase = '"' + q.replace('"', '""') + '"'
        rows = db.execute("SELECT system, code FROM d WHERE term MATCH ? ORDER BY rank LIMIT 50", (phrase,)).fetchall()
        return dedupe(rows)

    return search


def pg_engine(dsn, corpus, folded):
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    table = "d_folded" if folded else "d_raw"
    cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(f"CREATE TABLE {table} (system text, code text, term text)")
    import io

    buf = io.StringIO("".join(f"{s}\t{c}\t{(fold(t) if folded else t)}\n" for s, c, t in corpus))
    cur.copy_from(buf, table, columns=("system", "code", "term"))
    cur.execute(f"CREATE INDEX ON {table} USING gist (term gist_trgm_ops)")
    cur.execute(f"ANALYZE {table}")

    def search(q):
        q = fold(q) if folded else q
        cur.execute(f"SELECT system, code FROM {table} ORDER BY term <-> %s LIMIT 50", (q,))
        return dedupe(cur.fetchall())

    return search


def load_inprocess(path):
    """Per-query in-process times (µs) written by bench/latency --tsv, as milliseconds."""
    with open(path, encoding="utf-8") as f:
        f.readline()
        return [float(line.rstrip("\n").split("\t")[2]) / 1000 for line in f if line.strip()]


def report(results, server_lat, queries, inprocess=None):
    types = sorted({t for r in results for t in r["types"]})
    header = f"{'type':<16}" + "".join(f"{r['name'][:22]:>24}" for r in results)
    print("recall@10 / MRR@10")
    print(header)
    for t in types + ["overall"]:
        cells = []
        for r in results:
            if t == "overall":
                hits = sum(v[0] for v in r["types"].values())
                rr = sum(v[1] for v in r["types"].values())
                n = sum(v[2] for v in r["types"].values())
            else:
                hits, rr, n = r["types"].get(t, [0, 0.0, 1])
            cells.append(f"{hits / n:>12.3f} / {rr / n:.3f}")
        print(f"{t:<16}" + "".join(f"{c:>24}" for c in cells))
    print()
    print("latency ms (client round trip)       p50       p99")
    for r in results:
        print(f"{r['name']:<34} {pct(r['lat'], 0.5):>9.2f} {pct(r['lat'], 0.99):>9.2f}")
    if server_lat:
        s = sorted(server_lat)
        print(f"{'henkan (server-side took_ms)':<34} {pct(s, 0.5):>9.2f} {pct(s, 0.99):>9.2f}")
    if inprocess:
        ip = sorted(inprocess)
        print(f"{'henkan (in process, bench/latency)':<34} {pct(ip, 0.5):>9.2f} {pct(ip, 0.99):>9.2f}")
    # p50 per query type: where each engine spends its time.
    print()
    print("p50 ms by query type" + "".join(f"{r['name'][:22]:>24}" for r in results) + ("   henkan server-side" if server_lat else ""))
    server_by_type = collections.defaultdict(list)
    for r, ms in zip(queries, server_lat):
        server_by_type[r["type"]].append(ms)
    for t in types:
        cells = "".join(f"{pct(sorted(r['by_type'][t]), 0.5):>24.2f}" for r in results)
        extra = f"{pct(sorted(server_by_type[t]), 0.5):>21.2f}" if server_lat else ""
        print(f"{t:<20}{cells}{extra}")
    base = results[0]
    recall = lambda r: sum(v[0] for v in r["types"].values()) / sum(v[2] for v in r["types"].values())
    print()
    def speed(peer, mine):
        ratio = peer / mine
        return f"{ratio:.1f}× faster" if ratio >= 1 else f"{1 / ratio:.1f}× slower"

    for r in results[1:]:
        print(
            f"henkan vs {r['name']}: recall@10 ×{recall(base) / max(recall(r), 1e-9):.2f}, "
            f"p50 {speed(pct(r['lat'], 0.5), pct(base['lat'], 0.5))}, p99 {speed(pct(r['lat'], 0.99), pct(base['lat'], 0.99))} "
            "(henkan over HTTP, client round trip)"
        )
    if inprocess:
        # Embedded against embedded: henkan's Service called in a loop in one process, as the
        # script calls SQLite, one run per query.
        ip = sorted(inprocess)
        for r in results[1:]:
            if r["name"].startswith("sqlite"):
                print(
                    f"henkan in process vs {r['name']} in process: p50 {speed(pct(r['lat'], 0.5), pct(ip, 0.5))}, "
                    f"p99 {speed(pct(r['lat'], 0.99), pct(ip, 0.99))} (bench/latency, one run per query)"
                )
    if server_lat:
        # The engines alone: henkan's server-side time against the peer's own query time (in
        # process for SQLite; PostgreSQL's includes its loopback round trip).
        s = sorted(server_lat)
        for r in results[1:]:
            print(
                f"henkan engine vs {r['name']}: p50 {speed(pct(r['lat'], 0.5), pct(s, 0.5))}, "
                f"p99 {speed(pct(r['lat'], 0.99), pct(s, 0.99))} (henkan server-side took_ms)"
            )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--queries", default="../shared/eval/search-public.tsv")
    ap.add_argument("--corpus")
    ap.add_argument("--pg-dsn")
    ap.add_argument("--suggest", action="store_true", help="also time /v1/suggest for every prefix of every query")
    ap.add_argument("--inprocess", help="per-query in-process times from bench/latency --tsv (same queries)")
    args = ap.parse_args()
    queries = load_queries(args.queries)
    server_lat = []
    results = [evaluate("henkan", queries, henkan_engine(args.url, server_lat))]
    if args.corpus:
        corpus = list(load_corpus(args.corpus))
        for folded in (False, True):
            label = "folded" if folded else "raw"
            results.append(evaluate(f"sqlite-fts5 {label}", queries, sqlite_engine(corpus, folded)))
            if args.pg_dsn:
                results.append(evaluate(f"pg_trgm {label}", queries, pg_engine(args.pg_dsn, corpus, folded)))
    report(results, server_lat, queries, load_inprocess(args.inprocess) if args.inprocess else None)
    if args.suggest:
        took = []
        for r in queries:
            q = r["query"]
            for i in range(1, len(q) + 1):
                body = json.loads(urllib.request.urlopen(f"{args.url}/v1/suggest?q={urllib.parse.quote(q[:i])}").read())
                took.append(body["took_ms"])
        took.sort()
        print(f"suggest, every prefix ({len(took)} requests), server-side took_ms: p50 {pct(took, 0.5):.2f}  p99 {pct(took, 0.99):.2f}")


if __name__ == "__main__":
    main()
