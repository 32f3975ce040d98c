"""BR's targets per year, municipality-wide figures and counting rules."""
