"""The QR code each certificate carries to its public verification page, as inline SVG."""

import segno


def qr_svg(url: str, *, size_mm: float = 25, dark: str = "#3a1f0f") -> str:
    """segno's QR code as inline SVG, exactly ``size_mm`` wide: vector, sharp at any print resolution.

    The whole symbol is ONE stroked line snaking through the rows (left to right, one
    step down in the quiet zone, right to left, …) whose ``stroke-dasharray`` spells
    the dark and light runs. WeasyPrint's SVG code costs per path point and per
    element; segno's own SVG (one segment per run, ~900 points) doubled the PDF
    writing time of a certificate, this has two points per row and one element.
    """
    qr = segno.make(url, error="m")
    rows = [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=0)]
    size = len(rows)
    dashes: list[int] = []  # alternating dark, light lengths along the line, starting with dark

    def add(dark_run: bool, length: int) -> None:
        if (len(dashes) % 2 == 0) == dark_run:
            dashes.append(length)
        else:
            dashes[-1] += length

    path = []
    for y, row in enumerate(rows):
        ordered = row if y % 2 == 0 else row[::-1]
        for module in ordered:
            add(module, 1)
        if y < size - 1:
            add(False, 1)  # the step down to the next row: a gap, never painted
        path.append(f"H{size if y % 2 == 0 else 0}" + (f"V{y + 1.5}" if y < size - 1 else ""))
    if len(dashes) % 2:
        dashes.append(size)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 {size} {size}" class="qr-code"><path d="M0 0.5{"".join(path)}" fill="none" '
        f'stroke="{dark}" stroke-width="1" stroke-dasharray="{" ".join(map(str, dashes))}"/></svg>'
    )
