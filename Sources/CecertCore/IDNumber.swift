/// Resident identity numbers under GB 11643-1999.
public enum IDNumber {
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// The MOD 11-2 check character for the first 17 digits.
    public static func checkCharacter(for first17: String) -> Character? {
        let digits = first17.compactMap(\.wholeNumberValue)
        guard digits.count == 17, first17.allSatisfy(\.isASCII) else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Validates and normalises an ID number: trims, upper-cases a final x, and upgrades a 15-digit
    /// legacy number by inserting `19` before its two-digit year and appending the check character.
    ///
    /// - Throws: `CecertError.invalidInput` naming what is wrong (length, characters, birth date or check character).
    public static func normalize(_ raw: String) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "X") }) else {
            throw CecertError(.invalidInput, "ID number may contain only digits and a final X")
        }
        if text.count == 15 {
            guard text.allSatisfy(\.isNumber) else { throw CecertError(.invalidInput, "a 15-digit ID number has digits only") }
            let first17 = String(text.prefix(6)) + "19" + String(text.dropFirst(6))
            try checkBirthDate(first17)
            return first17 + String(checkCharacter(for: first17)!)
        }
        guard text.count == 18 else {
            throw CecertError(.invalidInput, "ID number has \(text.count) characters; expected 18 (or a 15-digit legacy number)")
        }
        let first17 = String(text.prefix(17))
        guard first17.allSatisfy(\.isNumber), let expected = checkCharacter(for: first17) else {
            throw CecertError(.invalidInput, "ID number must have 17 digits before its check character")
        }
        try checkBirthDate(first17)
        guard text.last == expected else {
            throw CecertError(.invalidInput, "ID number check character is \(text.last!); expected \(expected)")
        }
        return text
    }

    static func checkBirthDate(_ first17: String) throws {
        let digits = Array(first17)
        let birth = String(digits[6..<14])
        let dashed = "\(birth.prefix(4))-\(birth.dropFirst(4).prefix(2))-\(birth.suffix(2))"
        guard let date = CivilDate(dashed), date.year >= 1900 else {
            throw CecertError(.invalidInput, "ID number has no real birth date in digits 7-14")
        }
    }

    /// Masks digits 7–14 and more, keeping the first 6 and the last 4: `321204********0326`.
    /// The birth date never shows. Safe to log and to print.
    public static func mask(_ idNumber: String) -> String {
        let characters = Array(idNumber)
        guard characters.count > 10 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10)
            + String(characters.suffix(4))
    }
}

import Foundation

/// Personal names as written on certificates.
public enum PersonName {
    /// Middle dots that people type in minority names; each becomes U+00B7.
    static let middleDotVariants: Set<Character> = ["\u{30FB}", "\u{2022}", "\u{2027}", "\u{FF0E}", "\u{22C5}", "\u{FF65}"]

    /// The maximum length in characters. Long transliterated names such as
    /// 阿卜杜热合曼·买买提明·艾则孜 fit easily.
    public static let maximumLength = 40

    /// Normalises a name: Unicode NFC, trimmed, inner white space removed, middle dots made U+00B7.
    ///
    /// - Throws: `CecertError.invalidInput` when the result is empty, too long, or contains a control character.
    public static func normalize(_ raw: String) throws -> String {
        let composed = raw.precomposedStringWithCanonicalMapping
        if composed.trimmingCharacters(in: .whitespacesAndNewlines).contains(where: { $0.isNewline }) {
            throw CecertError(.invalidInput, "name contains a line break")
        }
        var result = ""
        for character in composed {
            if character.isWhitespace { continue }
            if middleDotVariants.contains(character) {
                result.append("\u{00B7}")
            } else {
                result.append(character)
            }
        }
        guard !result.isEmpty else { throw CecertError(.invalidInput, "name is empty") }
        guard result.count <= maximumLength else {
            throw CecertError(.invalidInput, "name has \(result.count) characters; at most \(maximumLength) allowed")
        }
        if result.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw CecertError(.invalidInput, "name contains a control character")
        }
        // Zero-width and direction-override characters would print nothing, or reorder the name.
        if let format = result.unicodeScalars.first(where: { $0.properties.generalCategory == .format }) {
            throw CecertError(.invalidInput, "name contains the invisible format character \(String(format: "U+%04X", format.value))")
        }
        return result
    }

    /// The surname shown on a public page with the given name masked, for example 张** or 上官*.
    /// Two-character compound surnames in common use are kept whole.
    public static func masked(_ name: String) -> String {
        let characters = Array(name)
        // A one-character name would be shown whole, so it is masked entirely.
        guard characters.count > 1 else { return String(repeating: "*", count: characters.count) }
        if let dot = characters.firstIndex(of: "\u{00B7}") {
            // A transliterated minority name: show the first part and mask the rest.
            return String(characters[..<dot]) + "·*"
        }
        let surnameLength = characters.count > 2 && compoundSurnames.contains(String(characters.prefix(2))) ? 2 : 1
        return String(characters.prefix(surnameLength)) + String(repeating: "*", count: characters.count - surnameLength)
    }

    static let compoundSurnames: Set<String> = [
        "欧阳", "上官", "东方", "司马", "皇甫", "诸葛", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
        "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "太史", "申屠",
    ]
}
