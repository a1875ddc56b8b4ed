-- henkan's translate-file semantics (default policy: first target, any review state, no minimum
-- score) as one query, run unchanged by DuckDB (duckdb_translate.py) and Spark SQL
-- (spark_translate.py). Both scripts register these views first (every column a string):
--   claims(ord, claim_id, code_system, code, service_date)  the input, ord = its row number
--   system_names(name, system, code_pattern)   each manifest system under its slug and its URI
--   tables_meta(tbl, source_system, target_system, target_pos)  the manifest's tables into the
--                                              requested targets, target_pos = the --to order
--   concepts(system, code, forward_to)         every systems/<slug>.parquet
--   mappings(tbl, source_code, rank, target_code, target_display, relationship, no_map_reason)
--   release_meta(release)                      the manifest's release
-- regexp_like(s, p) is Spark's function; the DuckDB script defines it as a macro.
-- The last line orders the output as the input came; duckdb_translate.py --any-order drops it.
WITH input AS (
  SELECT cl.*, trim(cl.code) AS tcode, n.code_pattern,
         coalesce(n.system, trim(cl.code_system)) AS sys
  FROM claims cl LEFT JOIN system_names n ON n.name = trim(cl.code_system)
),
-- Whether each distinct code matches its system's code_pattern (true for a system the manifest
-- does not list). Once per distinct code: the pattern is a column, compiled at each call.
shapes AS (
  SELECT sys, tcode,
         CASE WHEN code_pattern IS NULL THEN true
              ELSE coalesce(regexp_like(tcode, code_pattern), false) END AS valid
  FROM (SELECT DISTINCT sys, tcode, code_pattern FROM input) d
),
-- One row per (table, source code): its rank-1 target, its no-map reason.
summary AS (
  SELECT tbl, source_code,
         max(CASE WHEN rank = 1 THEN target_code END) AS target_code,
         max(CASE WHEN rank = 1 THEN target_display END) AS target_display,
         max(CASE WHEN rank = 1 THEN relationship END) AS relationship,
         max(CASE WHEN rank = 1 THEN 1 ELSE 0 END) AS has_first,
         min(no_map_reason) AS no_map_reason
  FROM mappings GROUP BY tbl, source_code
),
-- One row per applicable table (or one with tbl NULL when there is none).
answers AS (
  SELECT i.*, v.valid, t.tbl, t.target_system, t.target_pos,
         k.code IS NOT NULL AS known, k.forward_to,
         -- The code looked up in the table: its forward_to, or itself; NULL (no lookup) when the
         -- code is invalid or unknown.
         CASE WHEN v.valid AND k.code IS NOT NULL THEN coalesce(k.forward_to, i.tcode) END AS eff
  FROM input i
  JOIN shapes v ON v.sys IS NOT DISTINCT FROM i.sys AND v.tcode IS NOT DISTINCT FROM i.tcode
  LEFT JOIN tables_meta t ON t.source_system = i.sys
  LEFT JOIN concepts k ON k.system = i.sys AND k.code = i.tcode
)
SELECT a.claim_id, a.code_system, a.code, a.service_date,
       a.target_system,
       CASE WHEN m.has_first = 1 THEN m.target_code END AS target_code,
       CASE WHEN m.has_first = 1 THEN m.target_display END AS target_display,
       CASE WHEN m.has_first = 1 THEN m.relationship END AS relationship,
       CASE
         WHEN a.tbl IS NULL AND NOT a.valid THEN 'invalid-code'
         WHEN a.tbl IS NULL THEN 'unmapped:no-table'
         WHEN NOT a.valid THEN 'invalid-code'
         WHEN NOT a.known THEN 'unknown-code'
         WHEN m.has_first = 1 AND a.forward_to IS NOT NULL THEN 'forwarded'
         WHEN m.has_first = 1 THEN 'mapped'
         WHEN m.no_map_reason IS NOT NULL THEN 'unmapped:' || m.no_map_reason
         WHEN m.source_code IS NOT NULL THEN 'unmapped:filtered'
         ELSE 'unmapped:not-in-table'
       END AS status,
       r.release
FROM answers a
CROSS JOIN release_meta r
LEFT JOIN summary m ON m.tbl = a.tbl AND m.source_code = a.eff
ORDER BY a.ord, a.target_pos -- keep-order
