-- Residents' self-reports per community (居民填报统计), as they stand now: person types, fevers, isolation,
-- residents with open hardship requests.
CREATE OR REPLACE VIEW resident_reports_by_community AS
WITH current_reports AS (
  SELECT *
  FROM (
    SELECT r.*, row_number() OVER (PARTITION BY person_id ORDER BY _seq DESC) AS rank_latest
    FROM resident_reports AS r
  ) AS versions
  WHERE rank_latest = 1 AND _op <> 'REMOVE'
)
SELECT county_code,
       community_id,
       coalesce(person_type, 'unknown') AS person_type,
       count(*) AS residents,
       count_if(fever) AS fevers,
       count_if(isolation <> 'none') AS isolated,
       count_if(open_requests > 0) AS with_open_requests
FROM current_reports
GROUP BY 1, 2, 3
