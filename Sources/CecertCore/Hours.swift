/// A number of study hours, kept exactly in hundredths of an hour so that sums never drift.
public struct Hours: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, AdditiveArithmetic {
    public let hundredths: Int

    public init(hundredths: Int) { self.hundredths = hundredths }

    public init(_ whole: Int) { self.hundredths = whole * 100 }

    /// Converts a JSON number, or returns nil when it has more than two decimals or is not finite.
    public init?(exactly value: Double) {
        guard value.isFinite, abs(value) < 1e9 else { return nil }
        let scaled = (value * 100).rounded()
        guard abs(scaled - value * 100) < 1e-9 * max(1, abs(value)) else { return nil }
        self.hundredths = Int(scaled)
    }

    /// Parses text such as `12`, `12.5` or `0.25`.
    public init?(_ text: String) {
        guard let value = Double(text), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") })
        else { return nil }
        self.init(exactly: value)
    }

    public static let zero = Hours(hundredths: 0)

    public static func + (lhs: Hours, rhs: Hours) -> Hours { Hours(hundredths: lhs.hundredths + rhs.hundredths) }

    public static func - (lhs: Hours, rhs: Hours) -> Hours { Hours(hundredths: lhs.hundredths - rhs.hundredths) }

    public static func * (lhs: Hours, rhs: Int) -> Hours { Hours(hundredths: lhs.hundredths * rhs) }

    public static func < (lhs: Hours, rhs: Hours) -> Bool { lhs.hundredths < rhs.hundredths }

    /// The shortest decimal form: `160`, `12.5`, `0.25`.
    public var description: String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let whole = magnitude / 100
        let fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self), let hours = Hours(text) {
            self = hours
            return
        }
        let value = try container.decode(Double.self)
        guard let hours = Hours(exactly: value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "hours must have at most two decimals"))
        }
        self = hours
    }

    /// Encodes as a string, so the canonical JSON of a signed record never depends on float formatting.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
