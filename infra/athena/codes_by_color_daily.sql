-- Health codes by shown colour (健康码颜色分布), per day, county and community: the worst of the rule's
-- colour that day (code_spans) and the colours of the holds active that day (hold_spans). Days run from the
-- first code to the last day with a code change or a check-in.
CREATE OR REPLACE VIEW codes_by_color_daily AS
WITH bounds AS (
  SELECT min(from_dt) AS first_dt, greatest(max(from_dt), coalesce((SELECT max(dt) FROM checkins), max(from_dt))) AS last_dt
  FROM code_spans
),
calendar AS (
  SELECT date_format(day, '%Y-%m-%d') AS dt
  FROM bounds
  CROSS JOIN UNNEST(sequence(date(bounds.first_dt), date(bounds.last_dt), INTERVAL '1' DAY)) AS days (day)
),
code_days AS (
  SELECT c.dt, s.person_id, s.county_code, s.community_id, s.severity
  FROM code_spans AS s
  JOIN calendar AS c ON c.dt >= s.from_dt AND (s.to_dt IS NULL OR c.dt < s.to_dt)
),
held_days AS (
  SELECT c.dt, h.person_id, max(h.severity) AS severity
  FROM hold_spans AS h
  JOIN calendar AS c ON c.dt >= h.from_dt AND (h.to_dt IS NULL OR c.dt < h.to_dt)
  GROUP BY 1, 2
)
SELECT d.dt AS dt,
       d.county_code AS county_code,
       d.community_id AS community_id,
       CASE greatest(d.severity, coalesce(h.severity, 0)) WHEN 2 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'green' END AS color,
       count(*) AS codes
FROM code_days AS d
LEFT JOIN held_days AS h ON h.dt = d.dt AND h.person_id = d.person_id
GROUP BY 1, 2, 3, 4
