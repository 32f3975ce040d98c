"""Early warning (issue 16): how late registrations arrive, where each department is heading, what it takes.

- lag.py         registration_lag(): days from a status change's date to its recording, per department
                 and type (all events, and openings), lag_to_json() for `quota lag`
- history.py     the municipality's own history as the model needs it (four SQL aggregates)
- model.py       the model: sojourns (Kaplan-Meier) and expected rewards days ahead (pure arithmetic)
- projection.py  project(): the year-end (and half-year-end) projection with its interval, and
                 projection_to_json() for `quota forecast`
- pace.py        pace_needed(): how many more places, by when to advertise them, in words
- scope.py       department_codes_for(): the lines a user may see (HR: their own department)
- counting.py    what the forecast takes from the counting package; types.py the results; cli.py the commands

docs/forecast.md writes the model down and says how it did against history (benchmarks/bench_forecast.py).
"""
