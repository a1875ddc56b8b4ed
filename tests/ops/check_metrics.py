"""Parses henkan's /metrics page (OpenMetrics text, which Prometheus scrapes) with
prometheus_client's strict OpenMetrics parser, and checks the families an operator scrapes are
there and typed.

Usage: check_metrics.py BASE_URL"""

import sys
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families

base = sys.argv[1].rstrip("/")
# Traffic first, so that the request families have samples.
for path in ["/healthz", "/v1/releases", "/v1/concepts/jp-receipt-disease/8848176", "/v1/no-such-route"]:
    try:
        urllib.request.urlopen(base + path, timeout=30).read()
    except urllib.error.HTTPError:
        pass
page = urllib.request.urlopen(base + "/metrics", timeout=30).read().decode("utf-8")
families = {f.name: f for f in text_string_to_metric_families(page)}
expected = {
    "henkan_http_requests": "counter",
    "henkan_http_request_duration_seconds": "histogram",
    "henkan_http_requests_in_flight": "gauge",
    "henkan_cache_lookups": "counter",
    "henkan_batch_items": "histogram",
    "henkan_search_index_documents": "gauge",
    "henkan_search_index_load_seconds": "gauge",
    "henkan_release_served": "gauge",
    "henkan_process_resident_memory_bytes": "gauge",
}
failed = False
for name, kind in expected.items():
    f = families.get(name)
    if f is None or f.type != kind:
        print(f"FAIL {name}: {'missing' if f is None else f.type}")
        failed = True
routes = {s.labels.get("route") for s in families["henkan_http_requests"].samples}
for route in ["/v1/concepts/{system}/{code}", "/v1/releases", "unmatched"]:
    if route not in routes:
        print(f"FAIL no requests counted for route {route}: {sorted(r for r in routes if r)}")
        failed = True
served = [s for s in families["henkan_release_served"].samples if s.value == 1]
if len(served) != 1:
    print(f"FAIL release_served: {served}")
    failed = True
docs = [s.value for s in families["henkan_search_index_documents"].samples]
if not docs or max(docs) <= 0:
    print(f"FAIL no search index loaded: {docs}")
    failed = True
print(f"metrics: {len(families)} families parsed, {sum(len(f.samples) for f in families.values())} samples")
sys.exit(1 if failed else 0)
