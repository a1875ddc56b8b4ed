#!/usr/bin/env python3
"""Validates every kind of resource henkan's /fhir returns with fhir.resources (R4B models, the
closest to R4 it ships), on the default data of a live server.

Usage: validate_resources.py BASE_URL

Covers metadata (both modes), $lookup, CodeSystem and ValueSet $validate-code, $expand (all
codes, kana filter, is-a), $translate on each mapping table of the release (forward, and
reverse), $subsumes, the reads and searches of CodeSystem, ValueSet and ConceptMap, and the
errors (unknown route, wrong method, bad body, unknown code). Each answer is parsed by its
model; the status and media type are checked too. Any failure fails the run.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

BASE = sys.argv[1].rstrip("/")
DISEASE = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease"
ICD11 = "http://id.who.int/icd/release/11/mms"
FAILURES = []
CHECKED = {}


def call(path, params=None, method="GET", body=None):
    url = f"{BASE}/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/fhir+json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.headers.get("Content-Type", ""), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), json.loads(e.read())


def check(label, path, params=None, want_status=200, want_type=None, method="GET", body=None):
    status, ctype, res = call(path, params, method, body)
    kind = res.get("resourceType")
    problems = []
    if status != want_status:
        problems.append(f"HTTP {status}, expected {want_status}")
    if not ctype.startswith("application/fhir+json"):
        problems.append(f"content type {ctype!r}")
    if want_type and kind != want_type:
        problems.append(f"resourceType {kind!r}, expected {want_type}")
    try:
        get_fhir_model_class(kind).model_validate(res)
    except (ValidationError, KeyError, ValueError) as e:
        problems.append(f"invalid {kind}: {str(e)[:600]}")
    if problems:
        FAILURES.append(label)
        print(f"FAIL {label}: {'; '.join(problems)}")
    else:
        CHECKED[kind] = CHECKED.get(kind, 0) + 1
        print(f"ok   {label} ({kind})")
    return res


check("metadata", "metadata", want_type="CapabilityStatement")
check("metadata terminology", "metadata", {"mode": "terminology"}, want_type="TerminologyCapabilities")
check("lookup disease", "CodeSystem/$lookup", {"system": DISEASE, "code": "8848176"}, want_type="Parameters")
check("lookup icd11 with properties", "CodeSystem/$lookup", {"system": ICD11, "code": "5A71.01", "property": "parent"}, want_type="Parameters")
check("lookup POST", "CodeSystem/$lookup", method="POST", want_type="Parameters", body={
    "resourceType": "Parameters", "parameter": [{"name": "coding", "valueCoding": {"system": DISEASE, "code": "8848176"}}]})
check("cs validate-code", "CodeSystem/$validate-code", {"url": DISEASE, "code": "8848176", "display": "誤り"}, want_type="Parameters")
check("vs validate-code", "ValueSet/$validate-code", {"url": f"{DISEASE}?fhir_vs", "system": DISEASE, "code": "8848176"}, want_type="Parameters")
check("expand kana filter", "ValueSet/$expand", {"url": f"{DISEASE}?fhir_vs", "filter": "とうにょうびょう", "count": "10"}, want_type="ValueSet")
check("expand paged", "ValueSet/$expand", {"url": f"{DISEASE}?fhir_vs", "count": "20", "offset": "40"}, want_type="ValueSet")
check("expand isa", "ValueSet/$expand", {"url": f"{ICD11}?fhir_vs=isa/5A71", "includeDesignations": "true"}, want_type="ValueSet")
check("subsumes", "CodeSystem/$subsumes", {"system": ICD11, "codeA": "5A71", "codeB": "5A71.01"}, want_type="Parameters")
maps = check("search ConceptMap", "ConceptMap", want_type="Bundle")
for entry in maps.get("entry", []):
    cm = entry["resource"]
    table = cm["id"]
    check(f"read ConceptMap {table}", f"ConceptMap/{table}", {"_summary": "true"}, want_type="ConceptMap")
    full = check(f"read ConceptMap {table} (full)", f"ConceptMap/{table}", want_type="ConceptMap")
    element = next(iter(full.get("group", [{}])[0].get("element", [])), None)
    if element:
        check(f"translate {table}", "ConceptMap/$translate", {"url": cm["url"], "code": element["code"], "system": cm["sourceUri"]}, want_type="Parameters")
        target = next((t.get("code") for t in element.get("target", []) if t.get("code")), None)
        if target:
            check(f"translate {table} reverse", "ConceptMap/$translate", {"url": cm["url"], "code": target, "system": cm["targetUri"], "reverse": "true"}, want_type="Parameters")
check("search CodeSystem", "CodeSystem", want_type="Bundle")
check("read CodeSystem small", "CodeSystem/jlac10", want_type="CodeSystem")
check("read CodeSystem big", "CodeSystem/jp-receipt-disease", want_type="CodeSystem")
check("search ValueSet", "ValueSet", {"url": f"{DISEASE}?fhir_vs"}, want_type="Bundle")
check("read ValueSet", "ValueSet/jp-receipt-disease", want_type="ValueSet")
check("error unknown route", "Patient/1", want_status=404, want_type="OperationOutcome")
check("error wrong method", "metadata", method="DELETE", want_status=405, want_type="OperationOutcome")
check("error bad body", "CodeSystem/$lookup", method="POST", body={"resourceType": "Patient"}, want_status=400, want_type="OperationOutcome")
check("error unknown code", "CodeSystem/$lookup", {"system": DISEASE, "code": "0000000"}, want_status=404, want_type="OperationOutcome")
check("error unknown system", "CodeSystem/$lookup", {"system": "http://example.org/none", "code": "1"}, want_status=404, want_type="OperationOutcome")
print(f"validated {sum(CHECKED.values())} resources ({', '.join(f'{k} {v}' for k, v in sorted(CHECKED.items()))}); {len(FAILURES)} failures")
sys.exit(1 if FAILURES else 0)
