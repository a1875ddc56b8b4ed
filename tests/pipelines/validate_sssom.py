#!/usr/bin/env python3
"""Validates a `henkan export --format sssom` directory with the sssom library.

Usage: validate_sssom.py DIR

Every DIR/mappings/*.sssom.tsv is parsed (sssom.parsers.parse_sssom_table) and validated
(sssom.validators.validate with its default checks: JSON schema, prefix map completeness,
strict CURIE format), which is what `sssom validate FILE` does. Any finding of any check fails
the run, as it does for that command; each file's mapping count is printed.
"""
import logging
import sys
from pathlib import Path

from sssom.parsers import parse_sssom_table
from sssom.validators import validate


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    logging.basicConfig(level=logging.ERROR, format="  %(message)s")
    files = sorted(Path(sys.argv[1], "mappings").glob("*.sssom.tsv"))
    if not files:
        sys.exit(f"validate_sssom: no *.sssom.tsv in {sys.argv[1]}/mappings")
    failed = total = 0
    for f in files:
        msdf = parse_sssom_table(f)
        reports = validate(msdf, fail_on_error=False)
        findings = [(vt.name, r.message) for vt, rep in reports.items() for r in rep.results]
        print(f"validate_sssom: {f.name}: {len(msdf.df)} mappings, {len(findings)} findings")
        for vt, message in findings[:10]:
            print(f"  {vt}: {message}")
        failed += bool(findings)
        total += len(msdf.df)
    if failed:
        sys.exit(f"validate_sssom: {failed} of {len(files)} files invalid")
    print(f"validate_sssom: {len(files)} files valid, {total} mappings")


if __name__ == "__main__":
    main()
