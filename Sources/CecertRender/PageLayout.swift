import CecertCore

/// One drawing step of a page, in PDF coordinates (points, origin at the bottom-left corner).
enum DrawOperation {
    case text(FittedText, color: Color, characterSpacing: Double)
    case strokeRectangle(Box, lineWidth: Double, color: Color)
    case fillRectangles([Box], color: Color)
    case lines([(x1: Double, y1: Double, x2: Double, y2: Double)], lineWidth: Double, color: Color)
    case circle(x: Double, y: Double, radius: Double, lineWidth: Double, color: Color)
    case image(png: [UInt8], box: Box)
}

/// Turns a template and a certificate's facts into drawing steps.
struct PageLayout {
    let template: Template
    let fitter: TextFitter

    /// Horizontal and vertical padding inside table cells, in points.
    static let cellPadding = (horizontal: 5.0, vertical: 2.0)
    /// The smallest QR module and symbol the page may print: 0.5 mm and 25 mm.
    static let minimumModule = 0.5 * 72 / 25.4
    static let minimumSymbol = 25 * 72 / 25.4

    init(template: Template, font: TrueTypeFont) {
        self.template = template
        self.fitter = TextFitter(font: font, minimumSize: template.minimumFontSize, pageHeight: template.pageHeight)
    }

    func makeOperations(for facts: CertificateFacts) throws -> [DrawOperation] {
        try makeOperations(for: facts, values: CertificateText.values(for: facts))
    }

    /// Lays out the page with `values`, the placeholder values `CertificateText.values(for: facts)` returns.
    func makeOperations(for facts: CertificateFacts, values: [String: String]) throws -> [DrawOperation] {
        var operations: [DrawOperation] = []
        for element in template.elements {
            switch element {
            case .frame(_, let box, let lineWidth, let color):
                operations.append(.strokeRectangle(pdfBox(box), lineWidth: lineWidth, color: color))
            case .rule(_, let box, let lineWidth, let color):
                let y = template.pageHeight - (box.y + box.height / 2)
                operations.append(.lines([(box.x, y, box.maxX, y)], lineWidth: lineWidth, color: color))
            case .text(let id, let box, let style, let requires):
                if let requires, (values[requires] ?? "").isEmpty { continue }
                let text = try Template.substitute(style.text, values: values)
                let fitted = try fitter.fit(text, in: box, style: style, element: id)
                operations.append(.text(fitted, color: style.color, characterSpacing: style.characterSpacing))
            case .grid(let id, let box, let columns, let rows, let style, let lineWidth, let lineColor, let shade):
                let grid = GridLayout(
                    id: id, box: box, columns: columns, style: style, lineWidth: lineWidth,
                    lineColor: lineColor, shade: shade)
                let texts = try rows.map { row in try row.map { try Template.substitute($0.text, values: values) } }
                operations += try grid.makeOperations(
                    rows: rows, texts: texts, rowHeight: box.height / Double(rows.count),
                    page: self)
            case .yearTable(
                let id, let box, let columns, let maxRows, let rowHeight, let style, let lineWidth,
                let lineColor, let shade):
                guard facts.years.count <= maxRows else {
                    throw CecertError(
                        .rendering,
                        "element '\(id)' has room for \(maxRows) years but the certificate "
                            + "has \(facts.years.count)")
                }
                operations += try yearTableOperations(
                    id: id, box: box, columns: columns, rowHeight: rowHeight,
                    style: style, lineWidth: lineWidth, lineColor: lineColor,
                    shade: shade, facts: facts, values: values)
            case .qr(let id, let box, let quietZone):
                operations.append(try qrOperation(id: id, box: box, quietZone: quietZone, text: facts.verifyURL))
            case .image(_, let box, let png):
                operations.append(.image(png: png, box: pdfBox(box)))
            case .sealPlaceholder(let id, let box, let color, let label):
                operations += try sealOperations(id: id, box: box, color: color, label: label)
            }
        }
        return operations
    }

    func pdfBox(_ box: Box) -> Box {
        Box(x: box.x, y: template.pageHeight - box.maxY, width: box.width, height: box.height)
    }
}

// MARK: - Tables

/// A table of equal-height rows whose cells may span columns.
struct GridLayout {
    let id: String
    let box: Box
    let columns: [Double]
    let style: TextStyle
    let lineWidth: Double
    let lineColor: Color
    let shade: Color

    func makeOperations(
        rows: [[GridCell]], texts: [[String]], rowHeight: Double,
        page: PageLayout
    ) throws -> [DrawOperation] {
        var shaded: [Box] = []
        var lines: [(x1: Double, y1: Double, x2: Double, y2: Double)] = []
        var textOperations: [DrawOperation] = []
        for (rowIndex, row) in rows.enumerated() {
            let top = box.y + rowHeight * Double(rowIndex)
            var column = 0
            var x = box.x
            for (cellIndex, cell) in row.enumerated() {
                let width = columns[column..<(column + cell.columnSpan)].reduce(0, +)
                let cellBox = Box(x: x, y: top, width: width, height: rowHeight)
                if cell.shaded { shaded.append(page.pdfBox(cellBox)) }
                if column > 0 {
                    let pdfTop = page.template.pageHeight - top
                    lines.append((x, pdfTop, x, pdfTop - rowHeight))
                }
                var cellStyle = style
                cellStyle.align = cell.align
                let inner = Box(
                    x: cellBox.x + PageLayout.cellPadding.horizontal,
                    y: cellBox.y + PageLayout.cellPadding.vertical,
                    width: cellBox.width - 2 * PageLayout.cellPadding.horizontal,
                    height: cellBox.height - 2 * PageLayout.cellPadding.vertical)
                let fitted = try page.fitter.fit(
                    texts[rowIndex][cellIndex], in: inner, style: cellStyle,
                    element: "\(id), row \(rowIndex + 1), cell \(cellIndex + 1)")
                textOperations.append(.text(fitted, color: style.color, characterSpacing: style.characterSpacing))
                x += width
                column += cell.columnSpan
            }
            if rowIndex > 0 {
                let y = page.template.pageHeight - top
                lines.append((box.x, y, box.maxX, y))
            }
        }
        let outline = Box(x: box.x, y: box.y, width: box.width, height: rowHeight * Double(rows.count))
        var operations: [DrawOperation] = []
        if !shaded.isEmpty { operations.append(.fillRectangles(shaded, color: shade)) }
        operations.append(.lines(lines, lineWidth: lineWidth, color: lineColor))
        operations.append(.strokeRectangle(page.pdfBox(outline), lineWidth: lineWidth, color: lineColor))
        return operations + textOperations
    }
}

extension PageLayout {
    /// Lays out the per-year table: a header row, one row per year and a closing 合计 row. The first and last rows
    /// are shaded.
    func yearTableOperations(
        id: String, box: Box, columns: [YearColumn], rowHeight: Double, style: TextStyle,
        lineWidth: Double, lineColor: Color, shade: Color, facts: CertificateFacts,
        values: [String: String]
    ) throws -> [DrawOperation] {
        var texts: [[String]] = [columns.map(\.header)]
        for year in facts.years {
            let yearValues = CertificateText.yearValues(for: year)
            texts.append(try columns.map { try Template.substitute($0.value, values: yearValues) })
        }
        texts.append(try columns.map { try Template.substitute($0.total, values: values) })
        let cells = texts.indices.map { index in
            columns.map { _ in
                GridCell(text: "", columnSpan: 1, shaded: index == 0 || index == texts.count - 1, align: .center)
            }
        }
        let height = rowHeight * Double(texts.count)
        let grid = GridLayout(
            id: id, box: Box(x: box.x, y: box.y, width: box.width, height: height),
            columns: columns.map(\.width), style: style, lineWidth: lineWidth, lineColor: lineColor,
            shade: shade)
        return try grid.makeOperations(rows: cells, texts: texts, rowHeight: rowHeight, page: self)
    }

    /// Draws the QR code as filled rectangles, one per horizontal run of dark modules, inside a quiet zone.
    func qrOperation(id: String, box: Box, quietZone: Int, text: String) throws -> DrawOperation {
        let symbol = try QRSymbol.make(encoding: text)
        let module = box.width / Double(symbol.width + 2 * quietZone)
        guard module >= Self.minimumModule, module * Double(symbol.width) >= Self.minimumSymbol else {
            throw CecertError(
                .rendering,
                "element '\(id)': a version \(symbol.version) QR code would print modules of "
                    + "\(module * 25.4 / 72) mm; enlarge the box or shorten the verify URL")
        }
        let origin = pdfBox(box)
        let top = origin.maxY - module * Double(quietZone)
        let left = origin.x + module * Double(quietZone)
        let rectangles = symbol.darkRuns.map { run in
            Box(
                x: left + module * Double(run.column), y: top - module * Double(run.row + 1),
                width: module * Double(run.length), height: module)
        }
        return .fillRectangles(rectangles, color: .black)
    }

    /// Draws a circle with its label inside, marked as a specimen (样章) so that it cannot pass for a real seal.
    func sealOperations(id: String, box: Box, color: Color, label: String) throws -> [DrawOperation] {
        let radius = min(box.width, box.height) / 2 - 1.5
        let centre = pdfBox(box)
        let inner = Box(
            x: box.x + box.width / 2 - radius * 0.7, y: box.y + box.height / 2 - radius * 0.5,
            width: radius * 1.4, height: radius)
        let style = TextStyle(
            text: label, size: radius * 0.5, color: color, align: .center, maxLines: 2,
            leading: 1.2, characterSpacing: 0, firstLineIndent: 0)
        let fitted = try fitter.fit(label, in: inner, style: style, element: id)
        return [
            .circle(
                x: centre.x + centre.width / 2, y: centre.y + centre.height / 2, radius: radius, lineWidth: 1.5,
                color: color),
            .text(fitted, color: color, characterSpacing: 0),
        ]
    }
}
