"""What happens to findings after evaluation: waivers, the baseline, findings existing at the base."""
