#!/usr/bin/env python3
"""Validates a `henkan export --format fhir-conceptmap` directory with fhir.resources.

Usage: validate_conceptmap.py DIR

Every DIR/mappings/*.json is parsed as a FHIR R4 ConceptMap. fhir.resources 8's top-level
package is R5; its `fhir.resources.R4B` package is the R4-compatible one (ConceptMap is the same
in R4 and R4B: `equivalence`, not R5's `relationship`), so that is the model used. The model
checks structure, cardinalities and types but neither required bindings nor invariants, so those
of ConceptMap are checked here too, as the HL7 validator does: the codes of status, equivalence
and unmapped.mode, cmd-1 (a narrower or inexact target has a comment), cmd-2 (unmapped mode
fixed has a code) and cmd-3 (other-map has a url). Any error fails the run; each file's group,
element and target counts are printed.
"""
import collections
import sys
from pathlib import Path

from fhir.resources.R4B.conceptmap import ConceptMap
from pydantic import ValidationError

STATUS = {"draft", "active", "retired", "unknown"}
EQUIVALENCE = {"relatedto", "equivalent", "equal", "wider", "subsumes", "narrower", "specializes", "inexact",
               "unmatched", "disjoint"}
UNMAPPED_MODE = {"provided", "fixed", "other-map"}


def rule_errors(cm):
    """Counter of (rule, message) for the bindings and invariants the model does not check."""
    errors = collections.Counter()
    if cm.status not in STATUS:
        errors["binding", f"status {cm.status!r}"] += 1
    for g in cm.group or []:
        u = g.unmapped
        if u is not None:
            if u.mode not in UNMAPPED_MODE:
                errors["binding", f"unmapped.mode {u.mode!r}"] += 1
            if u.mode == "fixed" and not u.code:
                errors["cmd-2", "unmapped mode fixed without a code"] += 1
            if u.mode == "other-map" and not u.url:
                errors["cmd-3", "unmapped mode other-map without a url"] += 1
        for el in g.element or []:
            for t in el.target or []:
                if t.equivalence not in EQUIVALENCE:
                    errors["binding", f"target.equivalence {t.equivalence!r}"] += 1
                if t.equivalence in ("narrower", "inexact") and not t.comment:
                    errors["cmd-1", f"a {t.equivalence} target without a comment"] += 1
    return errors


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    files = sorted(Path(sys.argv[1], "mappings").glob("*.json"))
    if not files:
        sys.exit(f"validate_conceptmap: no *.json in {sys.argv[1]}/mappings")
    failed = total = 0
    for f in files:
        try:
            cm = ConceptMap.model_validate_json(f.read_bytes())
        except ValidationError as e:
            failed += 1
            print(f"validate_conceptmap: {f.name}: {e.error_count()} errors")
            for err in e.errors()[:10]:
                print(f"  {'.'.join(map(str, err['loc']))}: {err['msg']}")
            continue
        groups = cm.group or []
        elements = [el for g in groups for el in (g.element or [])]
        targets = sum(len(el.target or []) for el in elements)
        errors = rule_errors(cm)
        print(f"validate_conceptmap: {f.name}: {cm.status}, {len(groups)} groups, {len(elements)} elements, "
              f"{targets} targets, {sum(errors.values())} errors")
        for (rule, message), n in errors.most_common(10):
            print(f"  {rule}: {message} (×{n})")
        failed += bool(errors)
        total += len(elements)
    if failed:
        sys.exit(f"validate_conceptmap: {failed} of {len(files)} files invalid")
    print(f"validate_conceptmap: {len(files)} files valid, {total} elements")


if __name__ == "__main__":
    main()
