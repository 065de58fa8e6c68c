-- Health codes by shown colour (健康码颜色分布), per day, county and community.
-- The shown colour is the worst of the rule's colour at the end of the day (the code's last version that
-- day, carried forward over days without a change) and the colours of the holds active that day.
CREATE OR REPLACE VIEW codes_by_color_daily AS
WITH day_versions AS (
  SELECT person_id, county_code, community_id, color, dt, _op,
         row_number() OVER (PARTITION BY person_id, dt ORDER BY _seq DESC) AS rank_in_day
  FROM health_codes
),
spans AS (
  SELECT person_id, county_code, community_id, color, dt AS from_dt, _op,
         lead(dt) OVER (PARTITION BY person_id ORDER BY dt) AS to_dt
  FROM day_versions
  WHERE rank_in_day = 1
),
calendar AS (
  SELECT date_format(day, '%Y-%m-%d') AS dt
  FROM (SELECT min(dt) AS first_dt, max(dt) AS last_dt FROM health_codes) AS bounds
  CROSS JOIN UNNEST(sequence(date(bounds.first_dt), date(bounds.last_dt), INTERVAL '1' DAY)) AS days (day)
),
hold_versions AS (
  SELECT person_id, hold_key, color, since, lifted_at,
         row_number() OVER (PARTITION BY person_id, hold_key ORDER BY _seq DESC) AS rank_latest
  FROM holds
),
hold_spans AS (
  SELECT person_id,
         CASE color WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END AS severity,
         date_format(since + INTERVAL '8' HOUR, '%Y-%m-%d') AS from_dt,
         date_format(lifted_at + INTERVAL '8' HOUR, '%Y-%m-%d') AS to_dt
  FROM hold_versions
  WHERE rank_latest = 1
),
code_days AS (
  SELECT c.dt, s.person_id, s.county_code, s.community_id,
         CASE s.color WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END AS rule_severity
  FROM spans AS s
  JOIN calendar AS c ON c.dt >= s.from_dt AND (s.to_dt IS NULL OR c.dt < s.to_dt)
  WHERE s._op <> 'REMOVE'
),
held_days AS (
  SELECT d.dt, d.person_id, max(h.severity) AS hold_severity
  FROM code_days AS d
  JOIN hold_spans AS h ON h.person_id = d.person_id AND h.from_dt <= d.dt AND (h.to_dt IS NULL OR h.to_dt > d.dt)
  GROUP BY d.dt, d.person_id
)
SELECT d.dt AS dt,
       d.county_code AS county_code,
       d.community_id AS community_id,
       CASE greatest(d.rule_severity, coalesce(h.hold_severity, 0)) WHEN 2 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'green' END AS color,
       count(*) AS codes
FROM code_days AS d
LEFT JOIN held_days AS h ON h.dt = d.dt AND h.person_id = d.person_id
GROUP BY 1, 2, 3, 4
