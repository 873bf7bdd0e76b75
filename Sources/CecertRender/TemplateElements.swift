import CecertCore
import Foundation

/// Parses one element object of a template and checks its fields.
struct ElementContext {
    let loader: TemplateLoader
    let colors: [String: Color]
    let pageWidth: Double
    let pageHeight: Double
    let minimumFontSize: Double

    static let commonKeys: Set<String> = ["id", "type", "box"]
    static let textKeys: Set<String> = [
        "text", "size", "color", "align", "maxLines", "leading", "characterSpacing",
        "firstLineIndent", "requires",
    ]
    /// Optional facts an element may depend on; the element is left out when the fact is absent.
    static let optionalFacts: Set<String> = ["licence_identifier"]

    func parse(_ values: [String: Any], index: Int) throws -> Element {
        let unnamed = Fields(values: values, element: "elements[\(index)]", loader: loader)
        let id = try unnamed.string("id")
        let fields = Fields(values: values, element: id, loader: loader)
        let box = try fields.box()
        let type = try fields.string("type")
        switch type {
        case "frame", "rule":
            try fields.allowOnly(Self.commonKeys.union(["lineWidth", "color"]))
            let width = try fields.positive("lineWidth")
            let color = try self.color(fields, "color")
            return type == "frame"
                ? .frame(id: id, box: box, lineWidth: width, color: color)
                : .rule(id: id, box: box, lineWidth: width, color: color)
        case "text":
            try fields.allowOnly(Self.commonKeys.union(Self.textKeys))
            let style = try textStyle(fields, maxLines: 2)
            try checkPlaceholders(fields, style.text, allowed: CertificateText.names)
            let requires = try fields.optionalString("requires")
            if let requires, !Self.optionalFacts.contains(requires) {
                throw loader.invalid(id, "'requires' must name an optional fact: \(Self.optionalFacts.sorted())")
            }
            return .text(id: id, box: box, style: style, requires: requires)
        case "grid":
            return try parseGrid(fields, id: id, box: box)
        case "yearTable":
            return try parseYearTable(fields, id: id, box: box)
        case "qr":
            try fields.allowOnly(Self.commonKeys.union(["quietZone"]))
            let quietZone = try fields.integer("quietZone", default: 4, in: 4...10)
            try checkQRBox(box, id: id)
            return .qr(id: id, box: box, quietZone: quietZone)
        case "sealPlaceholder":
            try fields.allowOnly(Self.commonKeys.union(["color", "label"]))
            let label = try fields.string("label")
            guard label.contains("样章") else {
                throw loader.invalid(
                    id, "a seal placeholder's label must contain 样章, so it cannot pass for a real seal")
            }
            return .sealPlaceholder(id: id, box: box, color: try color(fields, "color"), label: label)
        case "image":
            try fields.allowOnly(Self.commonKeys.union(["path"]))
            return .image(id: id, box: box, png: try readPNG(fields, id: id))
        default:
            throw loader.invalid(
                id,
                "unknown type '\(type)' (expected frame, rule, text, grid, yearTable, qr, image or "
                    + "sealPlaceholder)")
        }
    }

    /// The first eight bytes of every PNG file.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads the PNG named by `path`, relative to the template's folder.
    func readPNG(_ fields: Fields, id: String) throws -> [UInt8] {
        let name = try fields.string("path")
        let folder = (loader.path as NSString).deletingLastPathComponent
        let path = name.hasPrefix("/") ? name : (folder as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw loader.invalid(id, "image file \(path) is missing or unreadable")
        }
        let bytes = [UInt8](data)
        guard bytes.starts(with: Self.pngSignature) else {
            throw loader.invalid(id, "image file \(path) is not a PNG file")
        }
        return bytes
    }

    func color(_ fields: Fields, _ key: String) throws -> Color {
        let name = try fields.string(key)
        guard let color = colors[name] else { throw loader.invalid(fields.element, "colour '\(name)' is not defined") }
        return color
    }

    func textStyle(_ fields: Fields, maxLines defaultLines: Int, requireText: Bool = true) throws -> TextStyle {
        let size = try fields.positive("size")
        guard size >= minimumFontSize else {
            throw loader.invalid(fields.element, "'size' \(size) is below the minimum font size \(minimumFontSize)")
        }
        return TextStyle(
            text: requireText ? try fields.string("text") : "",
            size: size,
            color: try color(fields, "color"),
            align: try fields.alignment("align", default: .left),
            maxLines: try fields.integer("maxLines", default: defaultLines, in: 1...8),
            leading: try fields.positive("leading", default: 1.25),
            characterSpacing: try fields.number("characterSpacing", default: 0),
            firstLineIndent: try fields.number("firstLineIndent", default: 0))
    }

    func checkPlaceholders(_ fields: Fields, _ text: String, allowed: Set<String>) throws {
        guard let names = Template.placeholders(in: text) else {
            throw loader.invalid(fields.element, "unbalanced braces in text '\(text)'")
        }
        for name in names where !allowed.contains(name) {
            throw loader.invalid(fields.element, "unknown placeholder {\(name)} in text '\(text)'")
        }
    }

    /// Checks the QR box: square, and at least 10 mm from every page edge.
    func checkQRBox(_ box: Box, id: String) throws {
        guard abs(box.width - box.height) < 0.01 else { throw loader.invalid(id, "a QR box must be square") }
        let margin = TemplateLoader.minimumQRMargin
        guard box.x >= margin, box.y >= margin, box.maxX <= pageWidth - margin, box.maxY <= pageHeight - margin else {
            throw loader.invalid(id, "a QR box must be at least 10 mm from every page edge")
        }
    }
}

// MARK: - Tables

extension ElementContext {
    func parseGrid(_ fields: Fields, id: String, box: Box) throws -> Element {
        try fields.allowOnly(
            Self.commonKeys.union([
                "columns", "rows", "size", "color", "lineWidth", "lineColor",
                "shade", "maxLines",
            ]))
        let columns = try columnWidths(fields, box: box)
        let style = try textStyle(fields, maxLines: 2, requireText: false)
        guard let rawRows = fields.values["rows"] as? [[[String: Any]]], !rawRows.isEmpty else {
            throw loader.invalid(id, "'rows' must be a non-empty array of arrays of cells")
        }
        var rows: [[GridCell]] = []
        for (rowIndex, rawRow) in rawRows.enumerated() {
            var row: [GridCell] = []
            for rawCell in rawRow {
                let cell = Fields(
                    values: rawCell, element: "\(id), row \(rowIndex + 1), cell \(row.count + 1)",
                    loader: loader)
                try cell.allowOnly(["text", "span", "shaded", "align"])
                let text = try cell.string("text")
                try checkPlaceholders(cell, text, allowed: CertificateText.names)
                row.append(
                    GridCell(
                        text: text, columnSpan: try cell.integer("span", default: 1, in: 1...columns.count),
                        shaded: try cell.bool("shaded", default: false),
                        align: try cell.alignment("align", default: .left)))
            }
            let spanned = row.reduce(0) { $0 + $1.columnSpan }
            guard spanned == columns.count else {
                throw loader.invalid(
                    id, "row \(rowIndex + 1) spans \(spanned) columns but the grid has \(columns.count)")
            }
            rows.append(row)
        }
        return .grid(
            id: id, box: box, columns: columns, rows: rows, style: style,
            lineWidth: try fields.positive("lineWidth"), lineColor: try color(fields, "lineColor"),
            shade: try color(fields, "shade"))
    }

    func parseYearTable(_ fields: Fields, id: String, box: Box) throws -> Element {
        try fields.allowOnly(
            Self.commonKeys.union([
                "columns", "maxRows", "rowHeight", "size", "color", "lineWidth",
                "lineColor", "shade",
            ]))
        guard let rawColumns = fields.values["columns"] as? [[String: Any]], !rawColumns.isEmpty else {
            throw loader.invalid(id, "'columns' must be a non-empty array of column objects")
        }
        var columns: [YearColumn] = []
        for (index, rawColumn) in rawColumns.enumerated() {
            let column = Fields(values: rawColumn, element: "\(id), column \(index + 1)", loader: loader)
            try column.allowOnly(["header", "width", "value", "total"])
            let parsed = YearColumn(
                header: try column.string("header"), width: try column.positive("width"),
                value: try column.string("value"), total: try column.string("total"))
            try checkPlaceholders(column, parsed.header, allowed: [])
            try checkPlaceholders(column, parsed.value, allowed: CertificateText.yearNames)
            try checkPlaceholders(column, parsed.total, allowed: CertificateText.names)
            columns.append(parsed)
        }
        let total = columns.reduce(0) { $0 + $1.width }
        guard abs(total - box.width) < 0.01 else {
            throw loader.invalid(id, "column widths add up to \(points(total)) pt but the box is \(box.width) pt wide")
        }
        let maxRows = try fields.integer("maxRows", in: 1...20)
        let rowHeight = try fields.positive("rowHeight")
        guard Double(maxRows + 2) * rowHeight <= box.height + 0.01 else {
            throw loader.invalid(
                id,
                "\(maxRows) year rows plus the header and 合计 rows of \(rowHeight) pt do not fit "
                    + "the box height \(box.height) pt")
        }
        let style = try textStyle(fields, maxLines: 1, requireText: false)
        return .yearTable(
            id: id, box: box, columns: columns, maxRows: maxRows, rowHeight: rowHeight, style: style,
            lineWidth: try fields.positive("lineWidth"), lineColor: try color(fields, "lineColor"),
            shade: try color(fields, "shade"))
    }

    /// Rounds a length to thousandths of a point, so sums of widths print without binary noise.
    func points(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }

    func columnWidths(_ fields: Fields, box: Box) throws -> [Double] {
        guard let widths = fields.values["columns"] as? [Double], !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else {
            throw loader.invalid(fields.element, "'columns' must be a non-empty array of positive widths in points")
        }
        let total = widths.reduce(0, +)
        guard abs(total - box.width) < 0.01 else {
            throw loader.invalid(
                fields.element, "column widths add up to \(points(total)) pt but the box is \(box.width) pt wide")
        }
        return widths
    }
}
