-- 12345 work orders by status (工单办理情况) per community, department and type, as they stand now:
-- open and overdue orders, resolution and satisfaction.
CREATE OR REPLACE VIEW work_orders_by_status AS
WITH current_orders AS (
  SELECT *
  FROM (
    SELECT w.*, row_number() OVER (PARTITION BY order_id ORDER BY _seq DESC) AS rank_latest
    FROM work_orders AS w
  ) AS versions
  WHERE rank_latest = 1 AND _op <> 'REMOVE'
)
SELECT county_code,
       community_id,
       department,
       type,
       status,
       count(*) AS orders,
       count_if(overdue) AS overdue,
       count_if(resolved) AS resolved,
       sum(satisfaction) AS satisfaction_sum,
       count(satisfaction) AS satisfaction_count
FROM current_orders
GROUP BY 1, 2, 3, 4, 5
