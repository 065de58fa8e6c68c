"""Co-travel (同行查询) and bulk comparison lists (三方比对): trips and modes (``trips``), the proximity rule
table (``proximity``), CSV reading with line numbers (``csvfile``), the two uploaded list formats
(``imports``), and data access (``store``)."""
