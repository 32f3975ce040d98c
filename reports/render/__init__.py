"""Turn report data into PDF bytes with ReportLab: no database, no Flask, same data gives the same bytes.

department.py and consolidated.py assemble each report's story from the parts: style.py (fonts,
colours, paragraph styles, the house table), formatting.py (Danish numbers and dates), tables.py,
charts.py, and pages.py (header, footer, "side X af Y" and the document itself).
"""

from .consolidated import render_consolidated_report
from .department import render_department_report

__all__ = ["render_consolidated_report", "render_department_report"]
