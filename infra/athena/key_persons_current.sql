-- Key persons as they stand now (重点人员现状): the latest version of every record.
CREATE OR REPLACE VIEW key_persons_current AS
SELECT key_person_id, person_id, county_code, community_id, category, status, source, measure,
       opened_on, start_date, planned_release, last_follow_up, on_supervision, created_at, closed_at
FROM (
  SELECT k.*, row_number() OVER (PARTITION BY key_person_id ORDER BY _seq DESC) AS rank_latest
  FROM key_persons AS k
) AS versions
WHERE rank_latest = 1 AND _op <> 'REMOVE'
