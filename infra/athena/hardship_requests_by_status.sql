-- Hardship requests (困难诉求) by need and status per community, as they stand now.
CREATE OR REPLACE VIEW hardship_requests_by_status AS
SELECT county_code, community_id, need, status, count(*) AS requests
FROM (
  SELECT request_id, county_code, community_id, need, status, _op,
         row_number() OVER (PARTITION BY request_id ORDER BY _seq DESC) AS rank_latest
  FROM hardship_requests
) AS versions
WHERE rank_latest = 1 AND _op <> 'REMOVE'
GROUP BY 1, 2, 3, 4
