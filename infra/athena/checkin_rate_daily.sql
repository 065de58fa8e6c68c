-- Daily check-in rate (打卡率): residents holding a code that day, how many checked in, and the share.
CREATE OR REPLACE VIEW checkin_rate_daily AS
WITH holders AS (
  SELECT dt, county_code, community_id, sum(codes) AS codes
  FROM codes_by_color_daily
  GROUP BY 1, 2, 3
),
checked AS (
  SELECT dt, county_code, community_id, count(DISTINCT person_id) AS checkins, count_if(fever) AS fevers
  FROM checkins
  GROUP BY 1, 2, 3
)
SELECT h.dt AS dt,
       h.county_code AS county_code,
       h.community_id AS community_id,
       h.codes AS codes,
       coalesce(c.checkins, 0) AS checkins,
       coalesce(c.fevers, 0) AS fevers,
       CAST(coalesce(c.checkins, 0) AS double) / nullif(h.codes, 0) AS checkin_rate
FROM holders AS h
LEFT JOIN checked AS c ON c.dt = h.dt AND c.county_code = h.county_code AND c.community_id = h.community_id
