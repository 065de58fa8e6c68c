-- Return to work (复工复产) per county, as the seed counts it: enterprises resumed and their share of the
-- above-scale ones; workers of resumed enterprises and how many hold a green code now (the rule's colour,
-- made worse by any active hold).
CREATE OR REPLACE VIEW return_to_work_by_county AS
WITH current_enterprises AS (
  SELECT *
  FROM (
    SELECT e.*, row_number() OVER (PARTITION BY enterprise_id ORDER BY _seq DESC) AS rank_latest
    FROM enterprises AS e
  ) AS versions
  WHERE rank_latest = 1 AND _op <> 'REMOVE'
),
current_employees AS (
  SELECT *
  FROM (
    SELECT w.*, row_number() OVER (PARTITION BY enterprise_id, employee_id ORDER BY _seq DESC) AS rank_latest
    FROM enterprise_employees AS w
  ) AS versions
  WHERE rank_latest = 1 AND _op <> 'REMOVE'
),
latest_codes AS (
  SELECT person_id, severity FROM code_spans WHERE to_dt IS NULL
),
active_holds AS (
  SELECT person_id, max(severity) AS severity FROM hold_spans WHERE to_dt IS NULL GROUP BY 1
),
workers AS (
  SELECT ent.county_code,
         count(*) AS workers,
         count_if(c.person_id IS NOT NULL AND greatest(c.severity, coalesce(h.severity, 0)) = 0) AS workers_green
  FROM current_employees AS w
  JOIN current_enterprises AS ent ON ent.enterprise_id = w.enterprise_id AND ent.resumption_status = 'approved'
  LEFT JOIN latest_codes AS c ON c.person_id = w.person_id
  LEFT JOIN active_holds AS h ON h.person_id = w.person_id
  GROUP BY 1
),
firms AS (
  SELECT county_code,
         count(*) AS enterprises,
         count_if(above_scale) AS above_scale,
         count_if(resumption_status = 'approved') AS resumed,
         count_if(resumption_status = 'approved' AND above_scale) AS resumed_above_scale
  FROM current_enterprises
  GROUP BY 1
)
SELECT f.county_code AS county_code,
       f.enterprises AS enterprises,
       f.above_scale AS above_scale,
       f.resumed AS resumed,
       f.resumed_above_scale AS resumed_above_scale,
       CAST(f.resumed_above_scale AS double) / nullif(f.above_scale, 0) AS resumed_above_scale_share,
       coalesce(w.workers, 0) AS workers,
       coalesce(w.workers_green, 0) AS workers_green,
       CAST(coalesce(w.workers_green, 0) AS double) / nullif(w.workers, 0) AS workers_green_share
FROM firms AS f
LEFT JOIN workers AS w ON w.county_code = f.county_code
