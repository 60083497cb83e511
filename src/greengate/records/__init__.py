"""The records every stage shares: locations, deployments and their facts, findings, reports.

Frozen dataclasses that carry source positions end to end; they import
nothing of the pipeline, so any stage may use them.
"""
