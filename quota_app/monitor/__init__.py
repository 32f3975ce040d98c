"""BIF's monitoring: fulfilment per department and placement type, what-ifs, drill-down and place lists.

Figures come from the counting package (quota_app.reconcile); this package only chooses what to ask it
(measure), reuses answers that cannot change (cache), assembles each page's figures (overview,
drilldown, place_lists), shows them (presenters, charts) and writes downloads (exporting). Only views,
forms, presenters and exporting use Flask.
"""
