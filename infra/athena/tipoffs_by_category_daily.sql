-- Tip-offs by category (举报分类统计) per day, community and responsible department.
CREATE OR REPLACE VIEW tipoffs_by_category_daily AS
WITH tipoffs_once AS (
  SELECT *, row_number() OVER (PARTITION BY tipoff_id ORDER BY _seq DESC) AS rank_latest
  FROM tipoffs
)
SELECT date_format(created_at + INTERVAL '8' HOUR, '%Y-%m-%d') AS dt,
       county_code,
       community_id,
       category,
       department,
       count(*) AS tipoffs,
       count_if(anonymous) AS anonymous,
       count_if(duplicate) AS duplicates,
       count_if(has_photo) AS with_photo
FROM tipoffs_once
WHERE rank_latest = 1 AND _op <> 'REMOVE'
GROUP BY 1, 2, 3, 4, 5
