"""Voting in a participatory budget: the frozen electorate, each voter's district,
and secret papers (one per pot: the voter's district and the city-wide pot)."""
