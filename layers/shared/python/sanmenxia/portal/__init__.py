"""The portal (线上三门峡 门户): articles and their review, help requests. Article rules and data access in
``store``."""
