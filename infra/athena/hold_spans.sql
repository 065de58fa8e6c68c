-- Hold spans (管控标记区间): per hold, its colour from the day it was placed until the day it was lifted
-- (exclusive; NULL while active), Asia/Shanghai days.
CREATE OR REPLACE VIEW hold_spans AS
SELECT person_id,
       hold_key,
       kind,
       color,
       CASE color WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END AS severity,
       date_format(since + INTERVAL '8' HOUR, '%Y-%m-%d') AS from_dt,
       date_format(lifted_at + INTERVAL '8' HOUR, '%Y-%m-%d') AS to_dt
FROM (
  SELECT person_id, hold_key, kind, color, since, lifted_at, _op,
         row_number() OVER (PARTITION BY person_id, hold_key ORDER BY _seq DESC) AS rank_latest
  FROM holds
) AS versions
WHERE rank_latest = 1 AND _op <> 'REMOVE' AND since IS NOT NULL
