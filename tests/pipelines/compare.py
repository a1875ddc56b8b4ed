#!/usr/bin/env python3
"""Checks that CSV files hold the same header and the same rows in the same order.

Usage: compare.py A.csv B.csv [C.csv...]

Every file is parsed with Python's csv module (so quoting differences do not count) and set
against the first. On a mismatch the first 10 differing rows are printed with their line numbers
and the exit status is 1; when all are equal, the row count and the histogram of the `status`
column are printed.
"""
import collections
import csv
import itertools
import sys


def rows(path):
    """(line number, row) of a CSV file, the header first."""
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        for row in r:
            yield r.line_num, row


def compare(a, b):
    """The first 10 differences between files a and b, a's row count and status histogram."""
    diffs, count, hist, status = [], -1, collections.Counter(), None
    for (la, ra), (lb, rb) in itertools.zip_longest(rows(a), rows(b), fillvalue=(None, None)):
        if ra != rb and len(diffs) < 10:
            diffs.append(f"  {a}:{la}: {ra}\n  {b}:{lb}: {rb}")
        if ra is None:
            continue
        count += 1
        if count == 0:  # the header
            status = ra.index("status") if "status" in ra else None
        else:
            hist[ra[status] if status is not None and status < len(ra) else ""] += 1
    return diffs, count, hist


def main():
    files = sys.argv[1:]
    if len(files) < 2:
        sys.exit(__doc__)
    ok = True
    for other in files[1:]:
        diffs, count, hist = compare(files[0], other)
        if diffs:
            ok = False
            print(f"compare: {files[0]} and {other} differ; first {len(diffs)} differing rows:")
            print("\n".join(diffs))
    if not ok:
        sys.exit(1)
    print(f"compare: {len(files)} files equal, {count} rows;", ", ".join(f"{s} {n}" for s, n in sorted(hist.items())))


if __name__ == "__main__":
    main()
