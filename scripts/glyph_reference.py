#!/usr/bin/python3
"""Score each cell of a rasterised glyph sheet against a FreeType rendering of the same character.

The sheet is a PDF that draws one character per square cell (see GlyphSheet in Sources/CecertRender), rasterised
with `pdftoppm -gray`. This script draws each character again from the original font file with Pillow's FreeType
binding at the same pixel size and pen position, and compares the two bitmaps.

Score: both cells are binarised at mid-grey, cropped to their ink bounding boxes and overlaid at the boxes'
top-left corners, then shifted against each other by up to one pixel each way. The score is the highest
intersection over union (IoU) of the ink. A blank cell scores 0. The script also scores each cell against the
next character's reference, which shows what a wrong glyph scores.

Output: one tab-separated row per character on --output, with its index, code point, score, the score against
the next character's reference, and the offset in pixels of the printed ink box from the reference ink box. A
summary of both score distributions goes to standard output. The script sets no pass mark, the calling test does.

Requires Pillow (Debian: python3-pil). Run it with /usr/bin/python3 when the python3 on PATH lacks Pillow.
"""

import argparse
import glob
import os
import re
import signal
import sys
from multiprocessing import Pool

try:
    from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
except ImportError:
    sys.exit(f"error: Pillow is missing for {sys.executable}; install python3-pil and run with /usr/bin/python3")

# Ink is any pixel darker than mid-grey in the page raster (black on white), or brighter in the reference
# (white on black).
PRINTED_INK = [255 if value < 128 else 0 for value in range(256)]
REFERENCE_INK = [255 if value >= 128 else 0 for value in range(256)]
ANY_INK = [255 if value else 0 for value in range(256)]
MAX_SHIFT = 1


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--font", required=True, help="TrueType font file the sheet was made from")
    parser.add_argument("--characters", required=True, help="UTF-8 text file, one character per line, in sheet order")
    parser.add_argument("--pages", required=True, help="pdftoppm output prefix, which names the pages PREFIX-<n>.pgm")
    parser.add_argument("--output", required=True, help="tab-separated scores file to write")
    parser.add_argument("--dpi", type=float, required=True, help="resolution passed to pdftoppm -r")
    parser.add_argument("--columns", type=int, required=True, help="cells per row")
    parser.add_argument("--rows", type=int, required=True, help="rows per page")
    parser.add_argument("--cell-size", type=float, required=True, help="side of a cell in points")
    parser.add_argument("--margin", type=float, required=True, help="border around the grid in points")
    parser.add_argument("--font-size", type=float, required=True, help="font size in points")
    parser.add_argument("--pen-x", type=float, required=True, help="pen position from the cell's left edge, in points")
    parser.add_argument("--pen-y", type=float, required=True, help="baseline from the cell's top edge, in points")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    return parser.parse_args()


def read_characters(path):
    with open(path, encoding="utf-8") as file:
        characters = [line.rstrip("\n") for line in file if line.rstrip("\n")]
    for number, character in enumerate(characters, start=1):
        if len(character) != 1:
            sys.exit(f"error: {path} line {number}: expected one character, found {character!r}")
    return characters


def list_pages(prefix):
    """Return the page rasters in page order. pdftoppm pads page numbers to the width of the page count."""
    pattern = re.compile(re.escape(os.path.basename(prefix)) + r"-(\d+)\.pgm$")
    numbered = []
    for path in glob.glob(glob.escape(prefix) + "-*.pgm"):
        match = pattern.search(os.path.basename(path))
        if match:
            numbered.append((int(match.group(1)), path))
    return [path for _, path in sorted(numbered)]


def ink_count(mask):
    return mask.histogram()[255]


def dilate(mask):
    """Return the mask grown by one pixel in all eight directions."""
    return mask.convert("L").filter(ImageFilter.MaxFilter(3)).point(ANY_INK, "1")


def placed(mask, size, corner):
    canvas = Image.new("1", size)
    canvas.paste(mask, corner)
    return canvas


def match_score(printed, reference):
    """Return how closely two ink masks agree within one pixel, from 0 (blank or disjoint) to 1.

    The masks are cropped to their ink boxes and overlaid at the boxes' top-left corners, then shifted by up
    to MAX_SHIFT pixels each way. For each shift, recall is the share of reference ink within one pixel of
    printed ink and precision the share of printed ink within one pixel of reference ink. The score is the
    best min(precision, recall) over the shifts.
    """
    printed_box = printed.getbbox()
    reference_box = reference.getbbox()
    if printed_box is None or reference_box is None:
        return 0.0
    printed = printed.crop(printed_box)
    reference = reference.crop(reference_box)
    margin = MAX_SHIFT + 1
    size = (max(printed.width, reference.width) + 2 * margin, max(printed.height, reference.height) + 2 * margin)
    reference = placed(reference, size, (margin, margin))
    grown_reference = dilate(reference)
    reference_ink = ink_count(reference)
    printed_ink = ink_count(printed)
    # The grown printed mask keeps a one-pixel border, so it is placed one pixel up and left of the printed mask.
    grown_printed = dilate(placed(printed, size, (margin, margin))).crop(
        (margin - 1, margin - 1, margin + printed.width + 1, margin + printed.height + 1))
    best = 0.0
    for dy in range(-MAX_SHIFT, MAX_SHIFT + 1):
        for dx in range(-MAX_SHIFT, MAX_SHIFT + 1):
            x, y = margin + dx, margin + dy
            recall = ink_count(ImageChops.logical_and(reference, placed(grown_printed, size, (x - 1, y - 1))))
            precision = ink_count(ImageChops.logical_and(placed(printed, size, (x, y)), grown_reference))
            best = max(best, min(recall / reference_ink, precision / printed_ink))
    return best


class Sheet:
    """Pixel geometry of the sheet and the reference renderer, built once per worker process."""

    def __init__(self, arguments):
        self.scale = arguments.dpi / 72
        self.arguments = arguments
        self.cell = round(arguments.cell_size * self.scale)
        self.pen = (arguments.pen_x * self.scale, arguments.pen_y * self.scale)
        self.font = ImageFont.truetype(arguments.font, size=round(arguments.font_size * self.scale))
        self.per_page = arguments.columns * arguments.rows

    def printed_mask(self, page, index):
        slot = index % self.per_page
        left = round((self.arguments.margin + (slot % self.arguments.columns) * self.arguments.cell_size) * self.scale)
        top = round((self.arguments.margin + (slot // self.arguments.columns) * self.arguments.cell_size) * self.scale)
        cell = page.crop((left, top, left + self.cell, top + self.cell))
        return cell.point(PRINTED_INK, "1")

    def reference_mask(self, character):
        image = Image.new("L", (self.cell, self.cell), 0)
        ImageDraw.Draw(image).text(self.pen, character, font=self.font, fill=255, anchor="ls")
        return image.point(REFERENCE_INK, "1")


def score_page(job):
    arguments, characters, page_path, first = job
    sheet = Sheet(arguments)
    page = Image.open(page_path).convert("L")
    last = min(first + sheet.per_page, len(characters))
    rows = []
    next_reference = None
    for index in range(first, last):
        printed = sheet.printed_mask(page, index)
        reference = next_reference or sheet.reference_mask(characters[index])
        next_reference = sheet.reference_mask(characters[(index + 1) % len(characters)])
        printed_box = printed.getbbox()
        reference_box = reference.getbbox()
        offset = ("", "")
        if printed_box and reference_box:
            offset = (printed_box[0] - reference_box[0], printed_box[1] - reference_box[1])
        rows.append(
            (index, characters[index], match_score(printed, reference), match_score(printed, next_reference), offset)
        )
    return rows


def quantiles(values):
    ordered = sorted(values)
    points = [0, 0.001, 0.01, 0.05, 0.5, 0.95, 0.99, 0.999, 1]
    return "  ".join(f"p{point * 100:g}={ordered[round(point * (len(ordered) - 1))]:.4f}" for point in points)


def summarise(rows):
    scores = [row[2] for row in rows]
    neighbours = [row[3] for row in rows]
    worst = sorted(rows, key=lambda row: row[2])[:5]
    closest = sorted(rows, key=lambda row: -row[3])[:5]
    describe = lambda row, value: f"{row[1]} U+{ord(row[1]):04X} {value:.4f}"
    print(f"cells: {len(rows)}")
    print(f"score against own reference:  {quantiles(scores)}")
    print(f"score against next reference: {quantiles(neighbours)}")
    print("lowest own scores: " + ", ".join(describe(row, row[2]) for row in worst))
    print("highest next scores: " + ", ".join(describe(row, row[3]) for row in closest))


def main():
    # A parent such as a test runner thread may have blocked signals, and the mask is inherited across exec.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    arguments = parse_arguments()
    characters = read_characters(arguments.characters)
    pages = list_pages(arguments.pages)
    per_page = arguments.columns * arguments.rows
    expected_pages = (len(characters) + per_page - 1) // per_page
    if len(pages) != expected_pages:
        sys.exit(f"error: expected {expected_pages} pages for {len(characters)} characters, found {len(pages)}")

    jobs = [(arguments, characters, path, number * per_page) for number, path in enumerate(pages)]
    # close() and join() let the workers exit by themselves. The context manager calls terminate() instead, which
    # relies on SIGTERM and waits forever for a worker that has SIGTERM blocked.
    pool = Pool(max(1, arguments.jobs))
    page_results = pool.map(score_page, jobs)
    pool.close()
    pool.join()
    rows = [row for page_rows in page_results for row in page_rows]

    with open(arguments.output, "w", encoding="utf-8") as file:
        for index, character, score, neighbour, (dx, dy) in rows:
            file.write(f"{index}\tU+{ord(character):04X}\t{score:.4f}\t{neighbour:.4f}\t{dx}\t{dy}\n")
    summarise(rows)


if __name__ == "__main__":
    main()
