-- Health-code colour spans (健康码颜色区间): per code, the rule's colour from a day (from_dt) until the day
-- of its next change (to_dt, exclusive; NULL while it lasts). The last version of a day wins.
CREATE OR REPLACE VIEW code_spans AS
WITH day_versions AS (
  SELECT person_id,
         dt,
         max_by(county_code, _seq) AS county_code,
         max_by(community_id, _seq) AS community_id,
         max_by(color, _seq) AS color,
         max_by(_op, _seq) AS last_op
  FROM health_codes
  GROUP BY person_id, dt
)
SELECT person_id,
       county_code,
       community_id,
       color,
       CASE color WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END AS severity,
       from_dt,
       to_dt
FROM (
  SELECT person_id, county_code, community_id, color, last_op, dt AS from_dt,
         lead(dt) OVER (PARTITION BY person_id ORDER BY dt) AS to_dt
  FROM day_versions
) AS spans
WHERE last_op <> 'REMOVE'
