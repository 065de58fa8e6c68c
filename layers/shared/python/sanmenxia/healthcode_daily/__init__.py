"""The health code's daily close (``functions/healthcode_daily``): planning and closing shards (``service``)
and the fan-out queue (``store``); the codes themselves are read and written through ``healthcode.store``."""
