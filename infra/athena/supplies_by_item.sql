-- Emergency supplies (应急物资) per item and priority tier: what units asked for against what was allocated,
-- dispatched and received, beside the stock free in the warehouses ("frontline first" at a glance).
CREATE OR REPLACE VIEW supplies_by_item AS
WITH current_requests AS (
  SELECT *
  FROM (
    SELECT q.*, row_number() OVER (PARTITION BY request_id ORDER BY _seq DESC) AS rank_latest
    FROM supply_requests AS q
  ) AS versions
  WHERE rank_latest = 1 AND _op <> 'REMOVE'
),
current_stock AS (
  SELECT item, sum(available) AS available, sum(reserved) AS reserved
  FROM (
    SELECT s.*, row_number() OVER (PARTITION BY warehouse_id, item ORDER BY _seq DESC) AS rank_latest
    FROM supply_stock AS s
  ) AS versions
  WHERE rank_latest = 1 AND _op <> 'REMOVE'
  GROUP BY 1
),
needs AS (
  SELECT item, tier, county_code, count(*) AS requests, sum(quantity) AS requested, sum(allocated) AS allocated,
         sum(dispatched) AS dispatched, sum(received) AS received
  FROM current_requests
  GROUP BY 1, 2, 3
)
SELECT n.item AS item,
       n.tier AS tier,
       n.county_code AS county_code,
       n.requests AS requests,
       n.requested AS requested,
       n.allocated AS allocated,
       n.dispatched AS dispatched,
       n.received AS received,
       coalesce(s.available, 0) AS stock_available,
       coalesce(s.reserved, 0) AS stock_reserved
FROM needs AS n
LEFT JOIN current_stock AS s ON s.item = n.item
