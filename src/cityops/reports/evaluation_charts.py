"""Charts of the evaluation bulletin as PNG bytes, drawn with matplotlib when it is
installed (``None`` otherwise: the bulletin then goes without pictures). Chinese labels use a
CJK font when the system has one (Debian: fonts-noto-cjk); without one, codes are shown."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Source Han Sans SC",
)


def _pyplot() -> tuple[Any, bool] | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import font_manager
    except ImportError:
        return None
    names = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [f for f in _CJK_FAMILIES if f in names]
    if not cjk:  # fonts installed after matplotlib cached its font list
        for path in font_manager.findSystemFonts():
            if "CJK" in path or "wqy" in path.lower():
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        names = {f.name for f in font_manager.fontManager.ttflist}
        cjk = [f for f in _CJK_FAMILIES if f in names]
    if cjk:
        plt.rcParams["font.sans-serif"] = [*cjk, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
    return plt, bool(cjk)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    fallback_labels: Sequence[str] | None = None,
    ylabel: str = "",
    reference: float | None = None,
) -> bytes | None:
    """A bar chart (one bar per object); ``fallback_labels`` replace Chinese ones when no CJK
    font is available."""
    found = _pyplot()
    if found is None or not labels:
        return None
    plt, cjk = found
    shown = list(labels) if cjk or fallback_labels is None else list(fallback_labels)
    heights = [v if v is not None else 0.0 for v in values]
    fig, ax = plt.subplots(figsize=(7.0, 3.2), dpi=150)
    bars = ax.bar(range(len(heights)), heights, color="#4472C4")
    ax.set_xticks(range(len(shown)))
    ax.set_xticklabels(
        shown,
        rotation=30 if len(shown) > 6 else 0,
        ha="right" if len(shown) > 6 else "center",
        fontsize=8,
    )
    ax.set_title(title if cjk else "", fontsize=10)
    if ylabel and cjk:
        ax.set_ylabel(ylabel, fontsize=8)
    if reference is not None:
        ax.axhline(reference, color="#C00000", linewidth=0.8, linestyle="--")
    for bar, v in zip(bars, values, strict=True):
        if v is not None:
            ax.annotate(
                f"{v:.1f}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def line_chart(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str
) -> bytes | None:
    found = _pyplot()
    if found is None or not labels:
        return None
    plt, cjk = found
    fig, ax = plt.subplots(figsize=(7.0, 3.0), dpi=150)
    for i, (name, values) in enumerate(series.items()):
        ax.plot(
            labels,
            [v if v is not None else float("nan") for v in values],
            marker="o",
            label=name if cjk else f"s{i + 1}",
        )
    ax.set_title(title if cjk else "", fontsize=10)
    ax.legend(fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
