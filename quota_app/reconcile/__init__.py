"""Counting places against targets (docs/counting.md). Every feature asks these modules; none counts by itself.
Importing the package keeps status intervals in step on every flush of the app's sessions.

- figures.py    reconcile() (a date or period, per department and type, with totals), reconciliation_to_json(),
                monthly_trend(), and the steps of a count (measuring_span, count_cells, cell_figures)
- units.py      reconcile_units(): a department's figures split by unit, adding up to the department's
- ageing.py     open_places_longest(), ageing_summary(), time_to_fill()
- places.py     places_behind() (the places behind a figure), place_listing() (places with their department,
                unit and type: the one query every list of places starts from)
- rules.py      the departments and types asked for, counting_rules() per year and type, the year's targets,
                counted_figure() (what a cell counts: the counted statuses, or a flow type's starts), and
                against the target: fulfilment, pro_rata_target (PRO_RATA_RULE), fulfilment_change
- queries.py    the SQL: conditions on the status intervals (holds_on, begins_within, starts_within, ...)
                and the aggregate queries
- dates.py      flow_start_of() (where a flow type's starts begin), month ends
- intervals.py  the derived status intervals counting reads; types.py the results; cli.py `quota reconcile`
"""

from . import intervals  # noqa: F401
