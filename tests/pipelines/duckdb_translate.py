#!/usr/bin/env python3
"""DuckDB's side of the pipeline test: translate.sql over an exported bundle.

Usage: duckdb_translate.py BUNDLE CLAIMS.csv OUT.csv [--keep-order|--any-order]

Reads CLAIMS.csv (every column VARCHAR: no type inference), registers the views translate.sql
expects and writes OUT.csv with a header: the input columns, then target_system, target_code,
target_display, relationship, status, release. --keep-order (the default) orders the output as
the input came, one row per applicable table in --to order, as `henkan translate-file` does;
--any-order leaves the order to DuckDB (no ORDER BY).
"""
import argparse

import duckdb

from bundle import Bundle, query


def literal(v):
    """A string or list of strings as a SQL literal (views and COPY take no parameters)."""
    if isinstance(v, list):
        return "[" + ", ".join(map(literal, v)) + "]"
    return "'" + v.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle")
    ap.add_argument("claims")
    ap.add_argument("out")
    order = ap.add_mutually_exclusive_group()
    order.add_argument("--keep-order", dest="keep_order", action="store_true", default=True)
    order.add_argument("--any-order", dest="keep_order", action="store_false")
    args = ap.parse_args()

    b = Bundle(args.bundle)
    con = duckdb.connect()
    con.execute("CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)")
    # ord: row_number() OVER () runs as a streaming window over the CSV scan, which keeps the
    # file's order (insertion order is preserved by default); --any-order needs no ord.
    ord_ = "row_number() OVER ()" if args.keep_order else "NULL::BIGINT"
    con.execute(f"CREATE VIEW claims AS SELECT {ord_} AS ord, * FROM read_csv({literal(args.claims)}, "
                "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')")
    con.execute("CREATE TABLE system_names(name VARCHAR, system VARCHAR, code_pattern VARCHAR)")
    con.executemany("INSERT INTO system_names VALUES (?, ?, ?)", b.system_names())
    con.execute("CREATE TABLE tables_meta(tbl VARCHAR, source_system VARCHAR, target_system VARCHAR, "
                "target_pos INTEGER)")
    con.executemany("INSERT INTO tables_meta VALUES (?, ?, ?, ?)", b.tables_meta())
    con.execute("CREATE TABLE release_meta AS SELECT ?::VARCHAR AS release", [b.release])
    con.execute(f"CREATE VIEW concepts AS SELECT system, code, forward_to FROM read_parquet({literal(b.system_files())})")
    files = b.table_files()
    if files:
        con.execute('CREATE VIEW mappings AS SELECT "table" AS tbl, source_code, rank, target_code, '
                    f"target_display, relationship, no_map_reason FROM read_parquet({literal(files)})")
    else:
        con.execute("CREATE TABLE mappings(tbl VARCHAR, source_code VARCHAR, rank INTEGER, target_code "
                    "VARCHAR, target_display VARCHAR, relationship VARCHAR, no_map_reason VARCHAR)")
    rows = con.execute(f"COPY (\n{query(args.keep_order)}) TO {literal(args.out)} (HEADER, DELIMITER ',')").fetchone()[0]
    print(f"duckdb_translate: {rows} rows to {args.out} ({'input order' if args.keep_order else 'any order'})")


if __name__ == "__main__":
    main()
