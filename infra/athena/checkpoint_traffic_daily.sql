-- Checkpoint traffic (检测点通行统计) per day and checkpoint: scans, passes, stops, fevers, unique persons,
-- in/out. A scan is counted once even if the lake held it twice.
CREATE OR REPLACE VIEW checkpoint_traffic_daily AS
WITH scans_once AS (
  SELECT *, row_number() OVER (PARTITION BY scan_key ORDER BY _seq DESC) AS rank_latest
  FROM scans
)
SELECT dt,
       county_code,
       community_id,
       checkpoint_id,
       count(*) AS scans,
       count_if(decision = 'pass') AS passes,
       count_if(decision = 'stop') AS stops,
       count_if(fever) AS fevers,
       count_if(color = 'red') AS red_codes,
       count_if(color = 'yellow') AS yellow_codes,
       count(DISTINCT person_ref) AS unique_persons,
       count_if(direction = 'in') AS entries,
       count_if(direction = 'out') AS exits
FROM scans_once
WHERE rank_latest = 1 AND _op <> 'REMOVE'
GROUP BY 1, 2, 3, 4
