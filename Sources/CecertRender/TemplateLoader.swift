import CecertCore
import Foundation

/// Reads and checks a template file, so that a malformed layout is rejected when the renderer starts
/// rather than when a certificate is printed.
struct TemplateLoader {
    let path: String

    /// The minimum distance of the QR code's box from each page edge: 10 mm.
    static let minimumQRMargin = 10 * 72 / 25.4

    /// Loads and validates the template at `path`.
    /// - Throws: `CecertError(.configuration)` naming the file, the element and the problem.
    static func load(path: String) throws -> Template {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CecertError(.configuration, "template file \(path) is missing or unreadable")
        }
        return try parse(data, path: path)
    }

    /// Validates template bytes; `path` names their origin in error messages.
    static func parse(_ data: Data, path: String) throws -> Template {
        let loader = TemplateLoader(path: path)
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw loader.invalid(nil, "the top level must be a JSON object")
            }
            root = object
        } catch let error as CecertError {
            throw error
        } catch {
            throw loader.invalid(nil, "is not valid JSON (\(error.localizedDescription))")
        }
        return try loader.parse(root)
    }

    func invalid(_ element: String?, _ problem: String) -> CecertError {
        let place = element.map { "element '\($0)': " } ?? ""
        return CecertError(.configuration, "template \(path): \(place)\(problem)")
    }
}

// MARK: - Document

extension TemplateLoader {
    func parse(_ root: [String: Any]) throws -> Template {
        let fields = Fields(values: root, element: nil, loader: self)
        try fields.allowOnly(["version", "page", "minimumFontSize", "colors", "elements", "sharedCharacters", "sharedFields"])
        let version = try fields.string("version")
        let page = Fields(values: try fields.object("page"), element: "page", loader: self)
        try page.allowOnly(["width", "height"])
        let width = try page.positive("width")
        let height = try page.positive("height")
        let minimumFontSize = try fields.positive("minimumFontSize")

        var colors: [String: Color] = [:]
        for (name, value) in try fields.object("colors") {
            guard let parts = value as? [Double], parts.count == 3, parts.allSatisfy({ (0...1).contains($0) }) else {
                throw invalid(nil, "colour '\(name)' must be three numbers from 0 to 1")
            }
            colors[name] = Color(red: parts[0], green: parts[1], blue: parts[2])
        }

        guard let list = root["elements"] as? [[String: Any]], !list.isEmpty else {
            throw invalid(nil, "'elements' must be a non-empty array of objects")
        }
        let context = ElementContext(
            loader: self, colors: colors, pageWidth: width, pageHeight: height,
            minimumFontSize: minimumFontSize)
        var elements: [Element] = []
        for (index, values) in list.enumerated() {
            elements.append(try context.parse(values, index: index))
        }
        let sharedCharacters = try fields.optionalString("sharedCharacters")
        let sharedFields = try fields.optionalStrings("sharedFields") ?? []
        if !sharedFields.isEmpty && sharedCharacters == nil {
            throw invalid(nil, "'sharedFields' needs 'sharedCharacters'")
        }
        for field in sharedFields where !CertificateText.names.contains(field) {
            throw invalid(nil, "'sharedFields' names {\(field)}, which is not a placeholder")
        }
        var template = Template(
            version: version, path: path, pageWidth: width, pageHeight: height,
            minimumFontSize: minimumFontSize, elements: elements,
            sharedCharacters: sharedCharacters, sharedFields: sharedFields)
        template.sharedBase = template.computeSharedBase()
        try checkLayout(template)
        return template
    }

    /// Checks that ids are unique, boxes lie on the page and no two content elements overlap.
    func checkLayout(_ template: Template) throws {
        var seen = Set<String>()
        for element in template.elements {
            guard seen.insert(element.id).inserted else { throw invalid(element.id, "the id is used twice") }
            let box = element.box
            guard box.x >= 0, box.y >= 0, box.maxX <= template.pageWidth, box.maxY <= template.pageHeight else {
                throw invalid(element.id, "the box \(box.x), \(box.y), \(box.width) × \(box.height) is not on the page")
            }
        }
        let content = template.elements.filter(\.isContent)
        for (index, first) in content.enumerated() {
            for second in content[(index + 1)...] where first.box.intersects(second.box) {
                throw invalid(first.id, "the box overlaps element '\(second.id)'")
            }
        }
    }
}

// MARK: - Field access

/// Typed access to one JSON object's fields, with errors that name the element.
struct Fields {
    let values: [String: Any]
    let element: String?
    let loader: TemplateLoader

    func allowOnly(_ keys: Set<String>) throws {
        for key in values.keys.sorted() where !keys.contains(key) {
            throw loader.invalid(element, "unknown field '\(key)'")
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = values[key] as? String, !value.isEmpty else {
            throw loader.invalid(element, "'\(key)' must be a non-empty string")
        }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        values[key] == nil ? nil : try string(key)
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let raw = values[key] else { return nil }
        guard let list = raw as? [String], list.allSatisfy({ !$0.isEmpty }) else {
            throw loader.invalid(element, "'\(key)' must be an array of non-empty strings")
        }
        return list
    }

    func number(_ key: String, default fallback: Double? = nil) throws -> Double {
        if values[key] == nil, let fallback { return fallback }
        guard let value = values[key] as? NSNumber, value.doubleValue.isFinite else {
            throw loader.invalid(element, "'\(key)' must be a number")
        }
        return value.doubleValue
    }

    func positive(_ key: String, default fallback: Double? = nil) throws -> Double {
        let value = try number(key, default: fallback)
        guard value > 0 else { throw loader.invalid(element, "'\(key)' must be greater than 0") }
        return value
    }

    func integer(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int>) throws -> Int {
        let value = try number(key, default: fallback.map(Double.init))
        guard value == value.rounded(), range.contains(Int(value)) else {
            throw loader.invalid(
                element, "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(value)
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let raw = values[key] else { return fallback }
        guard let value = raw as? Bool else {
            throw loader.invalid(element, "'\(key)' must be true or false")
        }
        return value
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let value = values[key] as? [String: Any] else {
            throw loader.invalid(element, "'\(key)' must be a JSON object")
        }
        return value
    }

    func box() throws -> Box {
        guard let parts = values["box"] as? [NSNumber], parts.count == 4 else {
            throw loader.invalid(element, "'box' must be [x, y, width, height] in points")
        }
        let box = Box(
            x: parts[0].doubleValue, y: parts[1].doubleValue, width: parts[2].doubleValue,
            height: parts[3].doubleValue)
        guard box.width > 0, box.height > 0 else {
            throw loader.invalid(element, "'box' must have a positive width and height")
        }
        return box
    }

    func alignment(_ key: String, default fallback: Alignment) throws -> Alignment {
        guard let raw = values[key] else { return fallback }
        guard let name = raw as? String, let value = Alignment(rawValue: name) else {
            throw loader.invalid(element, "'\(key)' must be left, center or right")
        }
        return value
    }
}
