/// A small streaming JSON writer for response bodies, cheaper per request than `JSONEncoder`.
///
/// Keys are written in call order. Strings are escaped per RFC 8259, and `<`, `>` and `&` are also
/// escaped so a JSON body can never be sniffed as HTML.
struct JSONWriter {
    private(set) var output = ""

    init() {
        output.reserveCapacity(1024)
    }

    mutating func object(_ body: (inout ObjectWriter) -> Void) {
        var object = ObjectWriter()
        body(&object)
        output += object.finish()
    }

    /// Writes a JSON value as the members of one object.
    struct ObjectWriter {
        private var text = "{"
        private var first = true

        mutating func key(_ name: String) {
            if !first { text += "," }
            first = false
            JSONWriter.appendString(name, to: &text)
            text += ":"
        }

        mutating func field(_ name: String, _ value: String) {
            key(name)
            JSONWriter.appendString(value, to: &text)
        }

        /// Writes `null` when `value` is nil.
        mutating func field(_ name: String, _ value: String?) {
            guard let value else {
                key(name)
                text += "null"
                return
            }
            field(name, value)
        }

        mutating func field(_ name: String, _ value: Int) {
            key(name)
            text += String(value)
        }

        mutating func field(_ name: String, _ value: Bool) {
            key(name)
            text += value ? "true" : "false"
        }

        mutating func object(_ name: String, _ body: (inout ObjectWriter) -> Void) {
            key(name)
            var nested = ObjectWriter()
            body(&nested)
            text += nested.finish()
        }

        mutating func array<Element>(_ name: String, _ elements: [Element],
                                     _ body: (inout ObjectWriter, Element) -> Void) {
            key(name)
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                var nested = ObjectWriter()
                body(&nested, element)
                text += nested.finish()
            }
            text += "]"
        }

        /// Appends members that are already serialised, each preceded by a comma, after at least one field.
        mutating func appendMembers(_ members: String) {
            precondition(!first, "appendMembers needs a field before it")
            text += members
        }

        /// Writes an already serialised JSON value.
        mutating func raw(_ name: String, _ json: String) {
            key(name)
            text += json
        }

        func finish() -> String { text + "}" }
    }

    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        // Most values need no escaping, and appending them whole is several times faster than by scalar.
        // 0xE2 is the first byte of U+2028 and U+2029, so its presence sends the value to the slow path.
        let needsEscaping = value.utf8.contains { byte in
            byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "<")
                || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == 0xE2
        }
        guard needsEscaping else {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
