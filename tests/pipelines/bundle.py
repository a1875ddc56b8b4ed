"""The small tables of an exported bundle's manifest.json that translate.sql joins, shared by
duckdb_translate.py and spark_translate.py (and the claims generator)."""
import json
from pathlib import Path

# The targets run.sh passes to `henkan translate-file` (--to …), in that order.
TARGETS = ["icd11-mms", "rxnorm", "loinc"]


class Bundle:
    """A bundle directory: its manifest and the rows of the views translate.sql expects."""

    def __init__(self, path):
        self.dir = Path(path)
        self.manifest = json.loads((self.dir / "manifest.json").read_text())
        self.release = self.manifest["release"]
        self.systems = {s["system"]: s for s in self.manifest["systems"]}

    def file(self, entry):
        """Absolute path of a manifest entry's file (its `path`; `file` in older bundles)."""
        return str(self.dir / (entry.get("path") or entry["file"]))

    def system_names(self):
        """(name, system, code_pattern): each system under its slug and under its URI."""
        rows = []
        for s in self.manifest["systems"]:
            rows.append((s["system"], s["system"], s["code_pattern"]))
            if s.get("uri") and s["uri"] != s["system"]:
                rows.append((s["uri"], s["system"], s["code_pattern"]))
        return rows

    def tables_meta(self, targets=TARGETS):
        """(tbl, source_system, target_system, target_pos) of the tables into `targets`."""
        return [(t["table"], t["source_system"], t["target_system"], targets.index(t["target_system"]))
                for t in self.manifest["tables"] if t["target_system"] in targets]

    def table_files(self, targets=TARGETS):
        """The parquet files of the tables into `targets`."""
        return [self.file(t) for t in self.manifest["tables"] if t["target_system"] in targets]

    def system_files(self):
        """The parquet files of every system."""
        return [self.file(s) for s in self.manifest["systems"]]


def query(keep_order=True):
    """translate.sql, without its final ORDER BY line when `keep_order` is false."""
    lines = (Path(__file__).parent / "translate.sql").read_text().splitlines()
    if not keep_order:
        lines = [l for l in lines if not l.rstrip().endswith("-- keep-order")]
    return "\n".join(lines) + "\n"
