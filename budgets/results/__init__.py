"""Counting a participatory budget, its results page, and the approval that turns
the selected projects into decisions with disbursement plans."""
