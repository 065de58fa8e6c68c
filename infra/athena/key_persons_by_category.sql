-- Key persons under control by category and community (重点人员热力图): the heat map's cells.
CREATE OR REPLACE VIEW key_persons_by_category AS
SELECT county_code,
       community_id,
       category,
       count_if(status = 'active') AS active,
       count_if(status = 'pending') AS pending,
       count_if(status IN ('active', 'pending')) AS open,
       count_if(status IN ('active', 'pending') AND on_supervision) AS on_supervision,
       count_if(status = 'released') AS released
FROM key_persons_current
GROUP BY 1, 2, 3
