"""Shared package of the Online Sanmenxia (线上三门峡) platform.

Shipped to every function as the ``SharedLayer`` Lambda layer (``layers/shared/python/sanmenxia``).
Domain rules are plain functions over plain data; only the ``*_store`` / ``aws`` modules talk to AWS.
"""
