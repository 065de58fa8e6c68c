-- New key persons per day (新增重点人员趋势) by category and community, with the releases of the day.
CREATE OR REPLACE VIEW key_persons_new_daily AS
WITH opened AS (
  SELECT opened_on AS day, county_code, community_id, category, count(*) AS new_key_persons
  FROM key_persons_current
  GROUP BY 1, 2, 3, 4
),
released AS (
  SELECT date_format(closed_at + INTERVAL '8' HOUR, '%Y-%m-%d') AS day, county_code, community_id, category, count(*) AS released
  FROM key_persons_current
  WHERE status = 'released' AND closed_at IS NOT NULL
  GROUP BY 1, 2, 3, 4
)
SELECT coalesce(o.day, r.day) AS dt,
       coalesce(o.county_code, r.county_code) AS county_code,
       coalesce(o.community_id, r.community_id) AS community_id,
       coalesce(o.category, r.category) AS category,
       coalesce(o.new_key_persons, 0) AS new_key_persons,
       coalesce(r.released, 0) AS released
FROM opened AS o
FULL OUTER JOIN released AS r
  ON o.day = r.day AND o.county_code = r.county_code AND o.community_id = r.community_id AND o.category = r.category
