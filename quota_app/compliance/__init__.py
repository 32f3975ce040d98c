"""Workplace compliance (docs/compliance.md): the proportionality rule ("rimelighedskravet").

rules.py (the ceiling and the per-year settings), headcounts.py (P-numbers and the headcount history),
exemptions.py, check.py (the ceiling check every status change makes), figures.py (per workplace on a
date as known at a time), unit_import.py (`quota units import`), statements.py (the employee
representative's statement), cli.py, forms.py, views.py, exporting.py.
"""
