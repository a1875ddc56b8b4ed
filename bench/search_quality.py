#!/usr/bin/env python3
"""Search quality and latency of a running henkan server on a query set.

Usage: bench/search_quality.py [--url http://127.0.0.1:8080] [--queries ../shared/eval/search-public.tsv]

The query file is tab-separated with a header: qid, type, query, expected (space-separated
`system|code` list). Prints recall@10 and MRR@10 overall and per query type, and the server-side
latency (took_ms) percentiles. Standard library only.
"""
import argparse
import collections
import json
import statistics
import urllib.parse
import urllib.request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--queries", default="../shared/eval/search-public.tsv")
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()

    rows = []
    with open(args.queries, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rec = dict(zip(header, line.rstrip("\n").split("\t")))
            rows.append(rec)

    # Warm up (the first search of a release builds its index).
    urllib.request.urlopen(f"{args.url}/v1/search?q=warmup").read()

    per_type = collections.defaultdict(lambda: [0, 0.0, 0])  # hits, rr sum, n
    took = []
    for r in rows:
        expected = set(r["expected"].split())
        q = urllib.parse.quote(r["query"])
        body = json.loads(urllib.request.urlopen(f"{args.url}/v1/search?q={q}&limit={args.k}").read())
        took.append(body["took_ms"])
        got = [f"{h['system']}|{h['code']}" for h in body["results"]]
        rank = next((i + 1 for i, g in enumerate(got) if g in expected), None)
        t = per_type[r["type"]]
        t[2] += 1
        if rank:
            t[0] += 1
            t[1] += 1.0 / rank

    total = [sum(v[i] for v in per_type.values()) for i in range(3)]
    print(f"{'type':<16} {'n':>4} {'recall@' + str(args.k):>10} {'MRR@' + str(args.k):>8}")
    for name in sorted(per_type):
        hits, rr, n = per_type[name]
        print(f"{name:<16} {n:>4} {hits / n:>10.3f} {rr / n:>8.3f}")
    print(f"{'overall':<16} {total[2]:>4} {total[0] / total[2]:>10.3f} {total[1] / total[2]:>8.3f}")
    took.sort()
    p = lambda q: took[min(len(took) - 1, int(q * len(took)))]
    print(f"server took_ms: p50 {p(0.5):.2f}  p99 {p(0.99):.2f}  mean {statistics.mean(took):.2f}")


if __name__ == "__main__":
    main()
