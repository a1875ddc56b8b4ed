#!/usr/bin/env python3
"""Synthetic claims drawn from the real codes of an exported bundle.

Usage: gen_claims.py N BUNDLE OUT.csv [--seed S] [--mix all] [--pad]

Writes N rows `claim_id,code_system,code,service_date`: about 50% jp-receipt-disease, 30%
jp-receipt-drug, 5% jp-yj and 15% jlac10 codes, each drawn from BUNDLE/systems/<slug>.parquet
with a Zipf-like skew (the code of rank r, in an order shuffled by the seed, has weight ~1/r),
service dates uniform over 2024-06-01..2025-08-31; ~1% of the codes have one character replaced
by another digit (mostly unknown codes) and ~0.5% are one character short or long (invalid
codes). Every draw is DuckDB's hash() of (row, seed, purpose), so the file is the same for the
same N, seed and bundle; DuckDB computes and writes it in parallel (10 M rows in seconds).

--mix all draws from every system of the bundle in equal shares instead (systems without a
table to the targets, free-form code patterns); --pad also surrounds ~1% of the codes with
spaces (which henkan trims).
"""
import argparse

import duckdb

from bundle import Bundle

# (system, share of the rows)
MIX = [("jp-receipt-disease", 0.50), ("jp-receipt-drug", 0.30), ("jp-yj", 0.05), ("jlac10", 0.15)]
FIRST_DAY, LAST_DAY = "2024-06-01", "2025-08-31"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("bundle")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", choices=["claims", "all"], default="claims")
    ap.add_argument("--pad", action="store_true")
    args = ap.parse_args()

    b = Bundle(args.bundle)
    mix = MIX if args.mix == "claims" else [(s, 1.0) for s in b.systems]
    con = duckdb.connect()
    seed = args.seed
    # Each system's codes, shuffled by the seed: pos 0 is the most frequent.
    parts, cum = [], 0.0
    for i, (system, share) in enumerate(mix):
        if system not in b.systems:
            raise SystemExit(f"gen_claims: the bundle has no system {system}")
        path = b.file(b.systems[system]).replace("'", "''")
        parts.append(f"SELECT {i} AS sys, '{system}' AS system, code, "
                     f"row_number() OVER (ORDER BY hash(code || '/{seed}'), code) - 1 AS pos, "
                     f"count(*) OVER () AS n FROM read_parquet('{path}')")
        cum += share
    con.execute("CREATE TABLE codes AS " + " UNION ALL ".join(parts))
    sizes = dict(con.execute("SELECT sys, max(n) FROM codes GROUP BY sys").fetchall())
    # Thresholds on u_sys for the system mix.
    bounds, acc = [], 0.0
    for i, (_, share) in enumerate(mix):
        acc += share
        bounds.append(f"WHEN u_sys < {acc / cum!r} THEN {i}")
    case_sys = "CASE " + " ".join(bounds[:-1]) + f" ELSE {len(mix) - 1} END"
    sizes_case = "CASE sys " + " ".join(f"WHEN {i} THEN {n}" for i, n in sizes.items()) + " END"
    # Uniform in [0, 1): the hash of one string (hash(a, b, c) combines hashes too weakly: the
    # draws of a row would be correlated).
    u = lambda tag: f"(hash(i::VARCHAR || '/{seed}/{tag}') / 18446744073709551616.0)"
    days = con.execute(f"SELECT date_diff('day', DATE '{FIRST_DAY}', DATE '{LAST_DAY}') + 1").fetchone()[0]
    out = args.out.replace("'", "''")
    con.execute(f"""
COPY (
  WITH draws AS (
    SELECT i, {case_sys} AS sys, u_code, u_date, u_fault, u_pos, u_digit
    FROM (SELECT i, {u('sys')} AS u_sys, {u('code')} AS u_code, {u('date')} AS u_date,
                 {u('fault')} AS u_fault, {u('pos')} AS u_pos, {u('digit')} AS u_digit
          FROM range({args.n}) r(i))
  ),
  picked AS (
    SELECT d.*, {sizes_case} AS n,
           -- Zipf-like: pos = n^u - 1 gives rank r a weight ~1/r.
           least(floor(exp(d.u_code * ln({sizes_case}::DOUBLE + 1)))::BIGINT - 1, {sizes_case} - 1) AS pos
    FROM draws d
  ),
  coded AS (
    SELECT p.i, c.system, c.code, p.u_date, p.u_fault, p.u_digit,
           1 + floor(p.u_pos * length(c.code))::BIGINT AS spot
    FROM picked p JOIN codes c ON c.sys = p.sys AND c.pos = p.pos
  )
  SELECT printf('C%010d', i + 1) AS claim_id, system AS code_system,
         CASE
           -- ~1%: the character at `spot` replaced by a different digit.
           WHEN u_fault < 0.01 THEN
             substr(code, 1, spot - 1)
             || ((CASE WHEN regexp_matches(substr(code, spot, 1), '[0-9]') THEN substr(code, spot, 1)::INT ELSE 0 END
                  + 1 + floor(u_digit * 9)::INT) % 10)::VARCHAR
             || substr(code, spot + 1)
           -- ~0.5%: one character short (or, for a one-character code, long).
           WHEN u_fault < 0.015 AND length(code) > 1 THEN substr(code, 1, length(code) - 1)
           WHEN u_fault < 0.015 THEN code || '0'
           WHEN u_fault < 0.025 AND {args.pad} THEN ' ' || code || ' '
           ELSE code
         END AS code,
         strftime(DATE '{FIRST_DAY}' + floor(u_date * {days})::INT, '%Y-%m-%d') AS service_date
  FROM coded ORDER BY i
) TO '{out}' (HEADER, DELIMITER ',')""")
    print(f"gen_claims: {args.n} rows to {args.out} (seed {seed})")


if __name__ == "__main__":
    main()
