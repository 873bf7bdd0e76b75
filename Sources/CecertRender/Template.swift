import CecertCore
import Foundation

/// A certificate layout read from `templates/certificate-v<version>.json`.
///
/// Units are PDF points, with the origin at the top-left corner of the page and y growing downwards, so the
/// file reads like the page. A released version's file is never edited: a new layout is a new file.
struct Template: Sendable {
    let version: String
    let path: String
    let pageWidth: Double
    let pageHeight: Double
    /// The smallest font size a text box may shrink to before it wraps.
    let minimumFontSize: Double
    let elements: [Element]
    /// Characters that certificates of this template often print besides its fixed text, such as digits and
    /// the letters of verification codes. When set, the glyphs of the fixed text and of these characters open
    /// every certificate's font subset and are compressed once (`SharedGlyphs`). Version 1 sets none.
    var sharedCharacters: String? = nil
    /// Placeholders whose values many certificates print alike, such as the issuer and the batch name. Their
    /// characters join the shared glyphs of each certificate, so they too are compressed once per value.
    var sharedFields: [String] = []

    /// The fixed text's characters and the shared characters, in code point order, or nil when the template
    /// declares no shared characters. The loader sets it once per template.
    var sharedBase: [UInt32]? = nil

    /// Computes `sharedBase` from the elements and `sharedCharacters`.
    func computeSharedBase() -> [UInt32]? {
        guard let sharedCharacters else { return nil }
        var scalars = Set(sharedCharacters.unicodeScalars.map(\.value))
        for element in elements {
            for text in element.texts {
                for scalar in Template.fixedText(text).unicodeScalars { scalars.insert(scalar.value) }
            }
        }
        return scalars.sorted()
    }

    /// Returns `sharedBase` joined with the characters of the shared fields' `values`, in code point order,
    /// or nil when the template declares no shared characters.
    func sharedScalars(values: [String: String] = [:]) -> [UInt32]? {
        guard let base = sharedBase else { return nil }
        guard !sharedFields.isEmpty else { return base }
        var scalars = Set(base)
        for field in sharedFields {
            for scalar in (values[field] ?? "").unicodeScalars { scalars.insert(scalar.value) }
        }
        return scalars.sorted()
    }
}

/// A rectangle in template coordinates (top-left origin).
struct Box: Sendable, Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var maxX: Double { x + width }
    var maxY: Double { y + height }

    func intersects(_ other: Box) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    func insetBy(_ amount: Double) -> Box {
        Box(x: x + amount, y: y + amount, width: width - 2 * amount, height: height - 2 * amount)
    }
}

/// An RGB colour with components from 0 to 1.
struct Color: Sendable, Equatable {
    var red: Double
    var green: Double
    var blue: Double

    static let black = Color(red: 0, green: 0, blue: 0)
}

enum Alignment: String, Sendable {
    case left, center, right
}

/// A text box: the text, with placeholders such as `{holder_name}`, shrinks from `size` to the template's
/// minimum font size and then wraps to at most `maxLines` lines, always staying inside `box`.
struct TextStyle: Sendable {
    var text: String
    var size: Double
    var color: Color
    var align: Alignment
    var maxLines: Int
    /// Line distance as a multiple of the font size.
    var leading: Double
    /// Extra space after each character, in points.
    var characterSpacing: Double
    /// Indent of the first line, in points.
    var firstLineIndent: Double
}

/// One cell of a grid row.
struct GridCell: Sendable {
    var text: String
    var columnSpan: Int
    var shaded: Bool
    var align: Alignment
}

/// One column of the per-year table.
struct YearColumn: Sendable {
    var header: String
    var width: Double
    /// The cell text of a year row, with year placeholders such as `{year}` and `{public_hours}`.
    var value: String
    /// The cell text of the closing 合计 row, with certificate placeholders.
    var total: String
}

enum Element: Sendable {
    case frame(id: String, box: Box, lineWidth: Double, color: Color)
    case rule(id: String, box: Box, lineWidth: Double, color: Color)
    case text(id: String, box: Box, style: TextStyle, requires: String?)
    case grid(
        id: String, box: Box, columns: [Double], rows: [[GridCell]], style: TextStyle, lineWidth: Double,
        lineColor: Color, shade: Color)
    case yearTable(
        id: String, box: Box, columns: [YearColumn], maxRows: Int, rowHeight: Double, style: TextStyle,
        lineWidth: Double, lineColor: Color, shade: Color)
    case qr(id: String, box: Box, quietZone: Int)
    case sealPlaceholder(id: String, box: Box, color: Color, label: String)
    /// A PNG picture scaled to fill its box; `png` is the file's bytes, read when the template loads.
    case image(id: String, box: Box, png: [UInt8])

    var id: String {
        switch self {
        case .frame(let id, _, _, _), .rule(let id, _, _, _), .text(let id, _, _, _), .qr(let id, _, _),
            .grid(let id, _, _, _, _, _, _, _), .yearTable(let id, _, _, _, _, _, _, _, _),
            .sealPlaceholder(let id, _, _, _), .image(let id, _, _):
            return id
        }
    }

    var box: Box {
        switch self {
        case .frame(_, let box, _, _), .rule(_, let box, _, _), .text(_, let box, _, _), .qr(_, let box, _),
            .grid(_, let box, _, _, _, _, _, _), .yearTable(_, let box, _, _, _, _, _, _, _),
            .sealPlaceholder(_, let box, _, _), .image(_, let box, _):
            return box
        }
    }

    /// Frames and rules are drawn around or between content, so only content elements must not overlap.
    var isContent: Bool {
        switch self {
        case .frame, .rule: return false
        default: return true
        }
    }

    /// Every text of the element that may contain placeholders, for validation.
    var texts: [String] {
        switch self {
        case .frame, .rule, .qr, .image: return []
        case .text(_, _, let style, _): return [style.text]
        case .sealPlaceholder(_, _, _, let label): return [label]
        case .grid(_, _, _, let rows, _, _, _, _): return rows.flatMap { $0.map(\.text) }
        case .yearTable(_, _, let columns, _, _, _, _, _, _): return columns.flatMap { [$0.header, $0.total] }
        }
    }
}

// MARK: - Placeholders

extension Template {
    /// Replaces every `{name}` in `text` with its value.
    /// - Throws: `CecertError(.rendering)` for a name that has no value; template validation makes this unreachable.
    static func substitute(_ text: String, values: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw CecertError(.rendering, "unclosed placeholder in template text \(text)")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = values[name] else {
                throw CecertError(.rendering, "unknown placeholder {\(name)} in template text \(text)")
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }

    /// Returns the text outside the placeholders of `text`.
    static func fixedText(_ text: String) -> String {
        var result = ""
        var inside = false
        for character in text {
            if character == "{" {
                inside = true
            } else if character == "}" {
                inside = false
            } else if !inside {
                result.append(character)
            }
        }
        return result
    }

    /// Lists the placeholder names used in `text`, or returns nil when a brace is unbalanced.
    static func placeholders(in text: String) -> [String]? {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{", let close = rest[open...].firstIndex(of: "}") else { return nil }
            let name = rest[rest.index(after: open)..<close]
            guard !name.contains("{") else { return nil }
            names.append(String(name))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
