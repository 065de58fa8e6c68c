"""Bulk comparison lists (三方比对, ``functions/imports``): the use case (``service``) and its data access
(``store``: jobs, hits and the HMAC look-up index in ``ImportsTable``)."""
