-- Lab tests (核酸检测) per day of sampling, county and community: tests, positives, negatives.
CREATE OR REPLACE VIEW lab_tests_daily AS
WITH tests_once AS (
  SELECT *, row_number() OVER (PARTITION BY lab_id, sample_id ORDER BY _seq DESC) AS rank_latest
  FROM lab_tests
)
SELECT date_format(sampled_at + INTERVAL '8' HOUR, '%Y-%m-%d') AS dt,
       county_code,
       community_id,
       count(*) AS tests,
       count_if(result = 'positive') AS positives,
       count_if(result = 'negative') AS negatives
FROM tests_once
WHERE rank_latest = 1 AND _op <> 'REMOVE'
GROUP BY 1, 2, 3
