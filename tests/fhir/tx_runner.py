#!/usr/bin/env python3
"""Runs HL7's terminology ecosystem test cases (fhir-tx-ecosystem, CC0) against a live henkan.

Each test's request is sent with its suite's setup resources as `tx-resource` parameters (and
the test's profile parameters); the answer is matched against the expected template with
HL7's rules:
  * property and array order never matter;
  * `$optional-properties$` lists properties that may be absent (they are then not compared);
    an array item with `"$optional$"` may be absent;
  * any other property the answer has and the template lacks is a failure;
  * `$id$`, `$instant$`, `$uuid$`, `$date$`, `$string$`, `$token$`, `$url$`, `$version$`,
    `$semver$` match a value of that type; `$$` any value; `$choice:a|b$` one of them;
    `$fragments:a|b$` a text holding each fragment;
  * `$external:N:text$` is a server-specific message: without an externals file (this
    runner has none; HL7's messages are tx.fhir.org's) only its fragment is required.
R4 answers are read as R5 where they differ, as HL7's runner does: a `$translate` match's
`source` is R5's `originMap`.

Usage: tx_runner.py BASE_URL TESTS_DIR [--pass-list FILE] [--write-pass-list]
Prints passed/failed per suite and in total; exits 1 when a test of the pass list fails.
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

MODES = {None, "general", "flat"}
OPS = {
    "expand": ("POST", "ValueSet/$expand"),
    "validate-code": ("POST", "ValueSet/$validate-code"),
    "cs-validate-code": ("POST", "CodeSystem/$validate-code"),
    "lookup": ("POST", "CodeSystem/$lookup"),
    "translate": ("POST", "ConceptMap/$translate"),
    "metadata": ("GET", "metadata"),
    "term-caps": ("GET", "metadata?mode=terminology"),
}

TYPES = {
    "$id$": r"[A-Za-z0-9\-\.]{1,64}",
    "$instant$": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
    "$date$": r"\d{4}(-\d\d(-\d\d)?)?",
    "$uuid$": r"(urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "$string$": r"(?s).+",
    "$token$": r"\S+",
    "$url$": r"(https?|urn|ftp):\S+",
    "$version$": r"\S+",
    "$semver$": r"\d+\.\d+\.\d+(\S*)",
}


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8-sig"))


def match_string(exp, act):
    if not isinstance(act, str):
        return f"expected a string like {exp!r}, got {act!r}"
    if exp == "$$":
        return None
    if exp in TYPES:
        return None if re.fullmatch(TYPES[exp], act) else f"{act!r} is not a {exp}"
    if exp.startswith("$choice:") and exp.endswith("$"):
        opts = exp[8:-1].split("|")
        return None if act in opts else f"{act!r} is not one of {opts}"
    if exp.startswith("$fragments:") and exp.endswith("$"):
        frags = [f for f in exp[11:-1].split("|") if f]
        missing = [f for f in frags if f not in act]
        return None if not missing else f"{act!r} lacks {missing}"
    if exp.startswith("$external:") and exp.endswith("$"):
        rest = exp[10:-1]
        frag = rest.split(":", 1)[1] if ":" in rest else ""
        return None if frag in act else f"{act!r} does not contain {frag!r}"
    if "$" in exp and any(t in exp for t in TYPES):
        pattern = re.escape(exp)
        for t, rx in TYPES.items():
            pattern = pattern.replace(re.escape(t), rx)
        return None if re.fullmatch(pattern, act) else f"{act!r} does not match {exp!r}"
    return None if exp == act else f"{act!r} != {exp!r}"


def is_optional(item):
    return isinstance(item, dict) and bool(item.get("$optional$"))


def compare(exp, act, path="$"):
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            return f"{path}: expected an object, got {act!r}"
        optional = set(exp.get("$optional-properties$", []))
        for k in act:
            if k not in exp and k not in optional and k != "fhir_comments":
                return f"{path}: unexpected property {k}"
        for k, v in exp.items():
            if k.startswith("$") and k.endswith("$"):
                continue
            if k in optional:
                continue
            if k not in act:
                if isinstance(v, list) and all(is_optional(i) for i in v):
                    continue
                return f"{path}: missing property {k}"
            err = compare(v, act[k], f"{path}.{k}")
            if err:
                return err
        return None
    if isinstance(exp, list):
        if not isinstance(act, list):
            return f"{path}: expected an array, got {act!r}"
        used = [False] * len(exp)
        for i, a in enumerate(act):
            for j, e in enumerate(exp):
                if not used[j] and compare(e, a, f"{path}[{i}]") is None:
                    used[j] = True
                    break
            else:
                same = [e for j, e in enumerate(exp) if not used[j] and isinstance(e, dict) and isinstance(a, dict) and any(e.get(k) == a.get(k) is not None for k in ("name", "code", "url"))]
                pool = same or [e for j, e in enumerate(exp) if not used[j]]
                best = min((compare(e, a, f"{path}[{i}]") for e in pool), key=len, default="no expected item left")
                return f"{path}[{i}]: no expected item matches ({best})"
        for j, e in enumerate(exp):
            if not used[j] and not is_optional(e):
                return f"{path}: missing item {json.dumps(e, ensure_ascii=False)[:200]}"
        return None
    if isinstance(exp, str):
        return match_string(exp, act)
    if isinstance(exp, bool) or isinstance(act, bool):
        return None if exp is act else f"{path}: {act!r} != {exp!r}"
    if isinstance(exp, (int, float)):
        return None if isinstance(act, (int, float)) and exp == act else f"{path}: {act!r} != {exp!r}"
    return None if exp == act else f"{path}: {act!r} != {exp!r}"


def as_r5(op, body):
    """Reads an R4 answer as R5 where the two differ."""
    if op == "translate" and isinstance(body, dict):
        for p in body.get("parameter", []):
            for part in p.get("part", []):
                if part.get("name") == "source" and "valueUri" in part:
                    part["name"] = "originMap"
                    part["valueCanonical"] = part.pop("valueUri")
            p.pop("extension", None)
    return body


def send(base, method, path, params, headers):
    data = None
    hdrs = {"Accept": "application/fhir+json"}
    hdrs.update(headers)
    if method == "POST":
        data = json.dumps(params).encode()
        hdrs["Content-Type"] = "application/fhir+json"
    req = urllib.request.Request(f"{base}/{path}", data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, {"unparsed": body.decode("utf-8", "replace")}


def status_ok(want, got):
    if want is None:
        return True
    return re.fullmatch(want.replace("x", r"\d"), str(got)) is not None


def run_test(base, root, suite, test):
    method, path = OPS[test["operation"]]
    params = load(root / test["request"]) if test.get("request") else {"resourceType": "Parameters", "parameter": []}
    params.setdefault("parameter", [])
    if test.get("profile"):
        params["parameter"] += [p for p in load(root / test["profile"]).get("parameter", []) if p.get("name") != "uuid"]
    params["parameter"] += [{"name": "tx-resource", "resource": load(root / s)} for s in suite.get("setup", [])]
    headers = {}
    if test.get("Accept-Language"):
        headers["Accept-Language"] = test["Accept-Language"]
    expected = load(root / test.get("response:flat", test["response"]))
    status, body = send(base, method, path, params, headers)
    want = test.get("http-code")
    if not status_ok(want, status):
        return f"HTTP {status}, expected {want}"
    if want is None and expected.get("resourceType") != "OperationOutcome" and status >= 400:
        return f"HTTP {status}: {json.dumps(body, ensure_ascii=False)[:300]}"
    return compare(expected, as_r5(test["operation"], body))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("tests")
    ap.add_argument("--pass-list")
    ap.add_argument("--write-pass-list", action="store_true")
    ap.add_argument("--filter", default="")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    root = Path(args.tests)
    cases = load(root / "test-cases.json")
    passed, failed, skipped = [], [], 0
    print(f"{'suite':28} {'passed':>7} {'failed':>7}")
    for suite in cases["suites"]:
        if suite.get("mode") not in MODES:
            skipped += len(suite["tests"])
            continue
        sp = sf = 0
        for test in suite["tests"]:
            if test.get("mode") not in MODES or test["operation"] not in OPS or args.filter not in test["name"]:
                skipped += 1
                continue
            key = f"{suite['name']}/{test['name']}"
            try:
                err = run_test(args.base, root, suite, test)
            except Exception as e:  # a crash of one test is that test's failure
                err = f"runner error: {e}"
            if err is None:
                passed.append(key)
                sp += 1
            else:
                failed.append(key)
                sf += 1
                if args.verbose:
                    print(f"  FAIL {key}: {err}")
        print(f"{suite['name']:28} {sp:7} {sf:7}")
    total = len(passed) + len(failed)
    print(f"{'total (general mode)':28} {len(passed):7} {len(failed):7}   {100.0 * len(passed) / max(total, 1):.1f} % of {total} run; {skipped} of other modes or operations not run")
    if args.pass_list:
        pl = Path(args.pass_list)
        if args.write_pass_list:
            pl.write_text("".join(f"{k}\n" for k in sorted(passed)))
            print(f"wrote {len(passed)} passing tests to {pl}")
        else:
            listed = [l.strip() for l in pl.read_text().splitlines() if l.strip()]
            regressed = sorted(set(listed) - set(passed))
            new = sorted(set(passed) - set(listed))
            if new:
                print(f"{len(new)} tests pass that the pass list lacks (add them with --write-pass-list): {', '.join(new[:20])}")
            if regressed:
                print(f"REGRESSION: {len(regressed)} tests of {pl} fail now: {', '.join(regressed)}")
                sys.exit(1)
            print(f"no regression against {pl} ({len(listed)} tests)")


if __name__ == "__main__":
    main()
