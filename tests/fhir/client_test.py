#!/usr/bin/env python3
"""A real FHIR client (fhirpy) drives henkan's /fhir with Japanese codes of each domain.

Usage: client_test.py BASE_URL

Disease (receipt 傷病名 8848176), drug (YJ 1149019F1560) and lab (JLAC10 17 digits) through
$lookup and $translate, and $expand of the receipt disease value set with a kana filter.
Exits non-zero on the first wrong answer.
"""
import sys

from fhirpy import SyncFHIRClient

client = SyncFHIRClient(sys.argv[1].rstrip("/"))
DISEASE = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease"
YJ = "http://capstandard.jp/iyaku.info/CodeSystem/YJ-code"
JLAC10 = "http://medis.or.jp/CodeSystem/master-JLAC10-17digits"
ICD11 = "http://id.who.int/icd/release/11/mms"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"


def params(res, name):
    return [p for p in res["parameter"] if p["name"] == name]


def parts(p):
    return {q["name"]: q for q in p.get("part", [])}


def lookup(system, code):
    res = client.execute("CodeSystem/$lookup", method="get", params={"system": system, "code": code})
    assert res["resourceType"] == "Parameters", res
    return res


def translate(system, code, target):
    res = client.execute("ConceptMap/$translate", method="post", data={
        "resourceType": "Parameters",
        "parameter": [{"name": "system", "valueUri": system}, {"name": "code", "valueCode": code},
                      {"name": "targetsystem", "valueUri": target}]})
    assert params(res, "result")[0]["valueBoolean"] is True, res
    return [parts(m) for m in params(res, "match")]


# Disease: the kana reading and ICD-10 by lookup, ICD-11 by translate.
res = lookup(DISEASE, "8848176")
kana = [parts(d)["value"]["valueString"] for d in params(res, "designation") if parts(d)["use"]["valueCoding"]["code"] == "kana"]
assert kana == ["１１ベータ－スイサンカコウソケッソンショウ"], kana
icd10 = [parts(p)["value"]["valueString"] for p in params(res, "property") if parts(p)["code"]["valueCode"] == "icd10_1"]
assert icd10 == ["E250"], icd10
m = translate(DISEASE, "8848176", ICD11)
assert m[0]["concept"]["valueCoding"]["code"] == "5A71.01" and m[0]["equivalence"]["valueCode"] == "wider", m
print("disease: 8848176 kana", kana[0], "ICD-10", icd10[0], "→ ICD-11", m[0]["concept"]["valueCoding"]["code"], m[0]["equivalence"]["valueCode"])

# Drug: the YJ code's display, and its RxNorm targets.
res = lookup(YJ, "1149019F1560")
display = params(res, "display")[0]["valueString"]
m = translate(YJ, "1149019F1560", RXNORM)
assert m and all(x["concept"]["valueCoding"]["system"] == RXNORM for x in m), m
print("drug: 1149019F1560", display, "→ RxNorm", [x["concept"]["valueCoding"]["code"] for x in m])

# Lab: a JLAC10 17-digit code and its LOINC targets.
res = lookup(JLAC10, "2A990000001930951")
m = translate(JLAC10, "2A990000001930951", LOINC)
assert m and m[0]["concept"]["valueCoding"]["system"] == LOINC, m
print("lab: 2A990000001930951", params(res, "display")[0]["valueString"], "→ LOINC", m[0]["concept"]["valueCoding"]["code"])

# Expand with a kana filter: 糖尿病 first.
vs = client.execute("ValueSet/$expand", method="get", params={"url": f"{DISEASE}?fhir_vs", "filter": "とうにょうびょう", "count": 5})
first = vs["expansion"]["contains"][0]
assert first["display"] == "糖尿病", first
print("expand: とうにょうびょう →", first["code"], first["display"], f"({vs['expansion']['total']} codes)")
