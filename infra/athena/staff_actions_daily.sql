-- Staff actions per day (操作留痕统计) by role and action: the accountability trail in figures.
CREATE OR REPLACE VIEW staff_actions_daily AS
SELECT dt, role, action, target_kind, count(DISTINCT record_id) AS actions
FROM audit_actions
GROUP BY 1, 2, 3, 4
