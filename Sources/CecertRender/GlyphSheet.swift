import CecertCore

/// Pages of characters in a grid of equal cells, for tests that compare each printed glyph with a reference.
///
/// The sheet is drawn through the certificate renderer's own font path: one `FontSubset` of every character,
/// with stand-in codes, embedded and drawn by `PDFDocument`. Each character is drawn alone, at the same pen
/// position in every cell, so a cell's ink comes from exactly one glyph.
struct GlyphSheet {
    /// The grid geometry. Lengths are in PDF points.
    struct Layout: Sendable {
        /// Cells per row.
        var columns: Int
        /// Rows per page.
        var rows: Int
        /// The side of each square cell.
        var cellSize: Double
        /// The font size. A glyph wider or taller than `cellSize` reaches into the next cell.
        var fontSize: Double
        /// The blank border around the grid on every side.
        var margin: Double

        /// - Parameters:
        ///   - columns: cells per row.
        ///   - rows: rows per page.
        ///   - cellSize: the side of each cell in points.
        ///   - fontSize: the font size in points.
        ///   - margin: the border around the grid in points.
        init(columns: Int = 16, rows: Int = 22, cellSize: Double = 36, fontSize: Double = 28, margin: Double = 18) {
            self.columns = columns
            self.rows = rows
            self.cellSize = cellSize
            self.fontSize = fontSize
            self.margin = margin
        }

        var cellsPerPage: Int { columns * rows }
        var pageWidth: Double { 2 * margin + Double(columns) * cellSize }
        var pageHeight: Double { 2 * margin + Double(rows) * cellSize }

        /// Returns the number of pages that `count` characters fill.
        func pageCount(for count: Int) -> Int {
            (count + cellsPerPage - 1) / cellsPerPage
        }

        /// Returns the top-left corner of cell `index` on its page, measured from the page's top-left corner.
        func cellOrigin(_ index: Int) -> (page: Int, x: Double, y: Double) {
            let onPage = index % cellsPerPage
            let x = margin + Double(onPage % columns) * cellSize
            let y = margin + Double(onPage / columns) * cellSize
            return (index / cellsPerPage, x, y)
        }
    }

    let font: TrueTypeFont
    let layout: Layout

    init(font: TrueTypeFont, layout: Layout = Layout()) {
        self.font = font
        self.layout = layout
    }

    /// Returns the pen position (glyph origin on the baseline) inside a cell, from the cell's top-left corner.
    ///
    /// The em box is centred in the cell, using the same vertical centre as `TextFitter`:
    /// (ascender + descender) / 2 above the baseline.
    var penOffset: (x: Double, y: Double) {
        let size = layout.fontSize
        let centreAboveBaseline = size * Double(font.ascender + font.descender) / 2 / Double(font.unitsPerEm)
        return ((layout.cellSize - size) / 2, layout.cellSize / 2 + centreAboveBaseline)
    }

    /// Draws `scalars` in reading order, `layout.cellsPerPage` to a page, into one PDF with one font subset.
    /// - Returns: the bytes of the PDF.
    /// - Throws: `CecertError(.unsupportedCharacter)` naming the first character the font lacks, before anything
    ///   is drawn; `CecertError(.rendering)` when the subset cannot be built or libharu fails.
    func render(_ scalars: [Unicode.Scalar]) throws -> [UInt8] {
        for scalar in scalars where font.glyph(for: scalar) == nil {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            throw CecertError(.unsupportedCharacter, "glyph sheet: \(Character(scalar)) U+\(hex) is not in the font")
        }
        let subset = try FontSubset.make(font: font, scalars: Set(scalars.map(\.value)))

        let document = try PDFDocument()
        try document.begin()
        try document.embedFont(subset)
        for page in 0..<layout.pageCount(for: scalars.count) {
            let start = page * layout.cellsPerPage
            let end = min(start + layout.cellsPerPage, scalars.count)
            try document.addPage(width: layout.pageWidth, height: layout.pageHeight)
            try document.draw([makeText(scalars, indices: start..<end)], substitutes: subset.substitutes)
        }
        return try document.save()
    }

    /// Builds one text step with a line of one character per cell, in PDF coordinates (origin bottom-left).
    private func makeText(_ scalars: [Unicode.Scalar], indices: Range<Int>) -> DrawOperation {
        let pen = penOffset
        let lines = indices.map { index in
            let cell = layout.cellOrigin(index)
            return FittedText.Line(
                x: cell.x + pen.x, baseline: layout.pageHeight - (cell.y + pen.y), scalars: [scalars[index]])
        }
        return .text(FittedText(size: layout.fontSize, lines: lines), color: .black, characterSpacing: 0)
    }
}
