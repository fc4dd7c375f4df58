"""Charts for the staff site as PNG images: matplotlib's object API (no pyplot state shared
between request threads) with the Japanese font that matplotlib-fontja bundles."""

import io

import matplotlib_fontja  # noqa: F401 (registers IPAexGothic and makes it matplotlib's font)
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDTH_INCHES, HEIGHT_INCHES, DPI = 10, 4.2, 100
MANY_LABELS = 12


def stacked_bars_png(labels, series, y_label):
    """A PNG of one stacked bar per label; ``series`` is [(name, values)], bottom first."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bottoms = [0] * len(labels)
    for name, values in series:
        axes.bar(range(len(labels)), values, bottom=bottoms, label=name)
        bottoms = [bottom + value for bottom, value in zip(bottoms, values, strict=True)]
    axes.set_xticks(range(len(labels)), labels, rotation=60 if len(labels) > MANY_LABELS else 0, fontsize=8)
    axes.set_ylabel(y_label)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="y", alpha=0.3)
    if len(series) > 1:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
