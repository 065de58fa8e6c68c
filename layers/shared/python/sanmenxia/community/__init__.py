"""Community work (社区防控): residents' self-reports (居民信息填报), hardship requests, key persons (疫情信息)
and their daily follow-up and supervision. Pure rules live in ``residents`` and ``keypersons``; data access
in ``store``; page tokens in ``paging``."""
