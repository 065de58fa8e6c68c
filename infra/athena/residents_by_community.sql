-- Registered residents per community (登记居民数), as they stand now.
CREATE OR REPLACE VIEW residents_by_community AS
SELECT county_code, community_id, count(*) AS residents, count_if(has_account) AS with_account
FROM (
  SELECT person_id, county_code, community_id, has_account, _op,
         row_number() OVER (PARTITION BY person_id ORDER BY _seq DESC) AS rank_latest
  FROM residents
) AS versions
WHERE rank_latest = 1 AND _op <> 'REMOVE'
GROUP BY 1, 2
