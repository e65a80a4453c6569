"""WCAG 2.1 contrast ratio, shared by the figure tests (computed from the W3C definition)."""


def contrast(a: str, b: str) -> float:
    """Contrast ratio of two #RRGGBB colours: (L_high + 0.05) / (L_low + 0.05)."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
