"""Aggregate: what ``greengate audit`` adds after evaluate: totals, alternatives, history."""
