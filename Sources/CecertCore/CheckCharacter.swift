/// ISO 7064 MOD 37,36: a hybrid check system over the 36 characters 0–9 and A–Z. It catches every
/// single substitution and most, but not all, adjacent transpositions.
public enum ISO7064Mod3736 {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// The check character for `text`, or nil when `text` has a character outside 0–9 and A–Z.
    public static func checkCharacter(for text: String) -> Character? {
        var product = 36
        for character in text.uppercased() {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            var sum = (product + value) % 36
            if sum == 0 { sum = 36 }
            product = (sum * 2) % 37
        }
        return alphabet[(37 - product) % 36]
    }

    /// True when the last character of `text` is the check character of the rest.
    public static func isValid(_ text: String) -> Bool {
        guard let last = text.uppercased().last, text.count >= 2 else { return false }
        return checkCharacter(for: String(text.dropLast())) == last
    }
}

/// A certificate number such as `321200-2020-000123-K`: issuer area code, batch year, serial within
/// that year, and an ISO 7064 MOD 37,36 check character over the first three parts.
public struct CertificateNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let area: String
    public let year: Int
    public let serial: Int

    public init(area: String, year: Int, serial: Int) {
        self.area = area
        self.year = year
        self.serial = serial
    }

    var body: String { area + String(format: "%04d", year) + String(format: "%06d", serial) }

    public var checkCharacter: Character { ISO7064Mod3736.checkCharacter(for: body)! }

    public var description: String {
        "\(area)-\(String(format: "%04d", year))-\(String(format: "%06d", serial))-\(checkCharacter)"
    }

    /// Parses a number typed with or without dashes, in either case, with full-width forms and
    /// spaces allowed; returns nil when the shape or the check character is wrong.
    public init?(parsing raw: String, areaLength: Int = 6) {
        let compact = TypedInput.compact(raw)
        guard compact.count == areaLength + 4 + 6 + 1, ISO7064Mod3736.isValid(compact) else { return nil }
        let characters = Array(compact)
        let area = String(characters[0..<areaLength])
        guard area.allSatisfy(\.isNumber),
              let year = Int(String(characters[areaLength..<(areaLength + 4)])),
              let serial = Int(String(characters[(areaLength + 4)..<(areaLength + 10)])) else { return nil }
        self.init(area: area, year: year, serial: serial)
    }

    public static func < (lhs: CertificateNumber, rhs: CertificateNumber) -> Bool {
        (lhs.area, lhs.year, lhs.serial) < (rhs.area, rhs.year, rhs.serial)
    }
}

/// Normalisation of codes and numbers that people type from paper.
public enum TypedInput {
    /// Upper-cases, folds full-width ASCII (ＡＢＣ－１２３) to ASCII, and drops spaces and dashes of every width.
    public static func compact(_ raw: String) -> String {
        var result = ""
        for scalar in raw.unicodeScalars {
            var value = scalar.value
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
            if value == 0x3000 { continue }
            guard let folded = Unicode.Scalar(value) else { continue }
            if folded == " " || folded == "-" || folded == "\t" || [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212].contains(value) {
                continue
            }
            result.unicodeScalars.append(folded)
        }
        return result.uppercased()
    }
}
