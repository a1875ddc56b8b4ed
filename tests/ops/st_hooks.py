"""schemathesis hooks for henkan: how to put a generated body on the wire as NDJSON
(POST /v1/translate/stream), which schemathesis has no serializer for."""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return {"data": value}
    if isinstance(value, str):
        return {"data": value.encode("utf-8")}
    items = value if isinstance(value, list) else [value]
    return {"data": "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items).encode("utf-8")}
