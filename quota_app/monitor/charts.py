"""Server-side SVG charts: accessible (title, description, text labels), no script, no external library."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def _nice_max(value: float) -> float:
    """Round a maximum up to 1, 2 or 5 times a power of ten, so the axis reads easily."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def trend_svg(
    points: Sequence[tuple[date, float, int | None]],
    *,
    chart_id: str,
    title: str,
    description: str,
    counted_label: str,
    target_label: str,
    number: Callable[[float], str],
) -> str:
    """Return an inline SVG line chart of counted (solid line, dots) against target (dashed step line)."""
    if not points:
        return ""
    top_value = _nice_max(max(max(c for _, c, _ in points), max((t or 0) for _, _, t in points)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + i * step, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h - value / top_value * plot_h, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="mon-chart" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        value = top_value * fraction
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value)}" y2="{y(value)}" stroke="#c8c8c8" '
            f'stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4}" text-anchor="end" font-size="11" fill="#1a1a1a">'
            f"{escape(number(value))}</text>"
        )
    for i, (day, _, _) in enumerate(points):
        last = len(points) - 1
        if i in (0, last) or (day.month in (1, 7) and 2 < i < last - 2):
            parts.append(
                f'<text x="{x(i)}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                f'fill="#1a1a1a">{day.month:02d}.{day.year}</text>'
            )
    target_path: list[str] = []
    for i, (_, _, target) in enumerate(points):
        if target is None:
            continue
        target_path.append(f"{'M' if not target_path else 'L'}{x(i)},{y(target)}")
    if target_path:
        parts.append(
            f'<path d="{" ".join(target_path)}" fill="none" stroke="#7a1d00" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
    counted_path = " ".join(f"{'M' if i == 0 else 'L'}{x(i)},{y(c)}" for i, (_, c, _) in enumerate(points))
    parts.append(f'<path d="{counted_path}" fill="none" stroke="#004d99" stroke-width="2.5"/>')
    for i, (_, counted, _) in enumerate(points):
        parts.append(f'<circle cx="{x(i)}" cy="{y(counted)}" r="3" fill="#004d99"/>')
    legend_y = HEIGHT - 8
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="#004d99" '
        f'stroke-width="2.5"/><text x="{LEFT + 30}" y="{legend_y}" font-size="12" fill="#1a1a1a">'
        f"{escape(counted_label)}</text>"
        f'<line x1="{LEFT + 220}" x2="{LEFT + 244}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="#7a1d00" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 250}" y="{legend_y}" font-size="12" fill="#1a1a1a">{escape(target_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
