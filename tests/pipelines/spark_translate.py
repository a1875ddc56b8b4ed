#!/usr/bin/env python3
"""PySpark's side of the pipeline test: translate.sql in Spark SQL (local[2]) over a bundle.

Usage: spark_translate.py BUNDLE CLAIMS.csv OUT.csv

The same query as duckdb_translate.py, unchanged, over the same views (every CSV column a
string, no schema inference). The output is ordered as the input came and written as one CSV
file with a header through toLocalIterator and Python's csv writer.
"""
import argparse
import csv
import os

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from bundle import Bundle, query


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle")
    ap.add_argument("claims")
    ap.add_argument("out")
    args = ap.parse_args()

    b = Bundle(args.bundle)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only
    spark = (SparkSession.builder.master("local[2]").appName("henkan-pipelines")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "4g"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    # monotonically_increasing_id right after the scan follows the file's order: the splits of one
    # file are read in offset order, each partition's ids above the previous one's.
    claims = (spark.read.option("header", True).option("inferSchema", False)
              .option("quote", '"').option("escape", '"').csv(args.claims)
              .withColumn("ord", F.monotonically_increasing_id()))
    claims.createOrReplaceTempView("claims")
    # Java's regex has no POSIX bracket classes: [:space:] inside [...] is written \s.
    names = [(n, s, p.replace("[:space:]", r"\s")) for n, s, p in b.system_names()]
    spark.createDataFrame(names, "name string, system string, code_pattern string") \
        .createOrReplaceTempView("system_names")
    spark.createDataFrame(b.tables_meta(), "tbl string, source_system string, target_system string, "
                          "target_pos int").createOrReplaceTempView("tables_meta")
    spark.createDataFrame([(b.release,)], "release string").createOrReplaceTempView("release_meta")
    spark.read.parquet(*b.system_files()).select("system", "code", "forward_to") \
        .createOrReplaceTempView("concepts")
    mapping_cols = "tbl string, source_code string, rank int, target_code string, target_display string, " \
                   "relationship string, no_map_reason string"
    files = b.table_files()
    mappings = (spark.read.parquet(*files).select(F.col("table").alias("tbl"), "source_code", "rank",
                                                  "target_code", "target_display", "relationship",
                                                  "no_map_reason")
                if files else spark.createDataFrame([], mapping_cols))
    mappings.createOrReplaceTempView("mappings")

    result = spark.sql(query(keep_order=True))
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(result.columns)
        rows = 0
        for row in result.toLocalIterator(prefetchPartitions=True):
            w.writerow(["" if v is None else v for v in row])
            rows += 1
    spark.stop()
    print(f"spark_translate: {rows} rows to {args.out} (input order)")


if __name__ == "__main__":
    main()
