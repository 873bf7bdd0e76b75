@testable import CecertCore
import Testing

struct IDNumberTests {
    @Test(arguments: [
        ("321204197101110326", "321204197101110326"),
        ("11010519491231002x", "11010519491231002X"),
        (" 11010519491231002X ", "11010519491231002X"),
        ("110105491231002", "11010519491231002X"),
    ])
    func normalizesValidNumbers(_ raw: String, _ expected: String) throws {
        #expect(try IDNumber.normalize(raw) == expected)
    }

    @Test(arguments: [
        ("321204197101110327", "check character is 7; expected 6"),
        ("321204197102300326", "no real birth date"),
        ("32120419710111032", "has 17 characters"),
        ("32120419710111032A", "only digits and a final X"),
    ])
    func rejectsInvalidNumbers(_ raw: String, _ reason: String) {
        #expect {
            try IDNumber.normalize(raw)
        } throws: { error in
            (error as? CecertError)?.message.contains(reason) == true
        }
    }

    @Test func maskHidesBirthDate() {
        #expect(IDNumber.mask("321204197101110326") == "321204********0326")
    }
}

struct PersonNameTests {
    @Test(arguments: ["\u{30FB}", "\u{2022}", "\u{2027}", "\u{FF0E}", "\u{22C5}", "\u{00B7}"])
    func middleDotVariantsBecomeU00B7(_ dot: String) throws {
        #expect(try PersonName.normalize(" 巴特尔\(dot)其木格 ") == "巴特尔\u{00B7}其木格")
    }

    @Test func innerSpacesRemovedAndComposed() throws {
        #expect(try PersonName.normalize("张 三") == "张三")
        #expect(try PersonName.normalize("Jose\u{0301}") == "Jos\u{00E9}")
    }

    @Test func thirtyCharactersAllowed() throws {
        let name = String(repeating: "阿", count: 30)
        #expect(try PersonName.normalize(name).count == 30)
    }

    @Test func maskedKeepsSurname() {
        #expect(PersonName.masked("张三丰") == "张**")
        #expect(PersonName.masked("上官婉儿") == "上官**")
        #expect(PersonName.masked("巴特尔·其木格") == "巴特尔·*")
        #expect(PersonName.masked("孙") == "*")
    }
}

struct CertificateNumberTests {
    @Test func checkCharacterFollowsISO7064() {
        // ISO 7064 MOD 37,36 worked by hand for "A1": p=36 → s=(36+10)%36=10 → p=20 → s=(20+1)%36=21 → p=42%37=5;
        // the check value is (37-5)%36 = 32, which is "W".
        #expect(ISO7064Mod3736.checkCharacter(for: "A1") == "W")
        #expect(ISO7064Mod3736.isValid("A1W"))
        #expect(!ISO7064Mod3736.isValid("A1X"))
    }

    @Test func numberRoundTripsThroughTypedForms() throws {
        let number = CertificateNumber(area: "321200", year: 2020, serial: 123)
        let text = number.description
        #expect(text.hasPrefix("321200-2020-000123-"))
        let compact = text.replacingOccurrences(of: "-", with: "")
        #expect(CertificateNumber(parsing: compact) == number)
        #expect(CertificateNumber(parsing: text.lowercased()) == number)
        let fullWidth = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar == "-" ? "\u{FF0D}" : Unicode.Scalar(scalar.value + 0xFEE0)!
        }))
        #expect(CertificateNumber(parsing: fullWidth) == number)
    }

    @Test func wrongCheckCharacterRejected() {
        let text = CertificateNumber(area: "321200", year: 2020, serial: 123).description
        let check = text.last!
        let wrong = text.dropLast() + (check == "A" ? "B" : "A")
        #expect(CertificateNumber(parsing: String(wrong)) == nil)
    }

    @Test func everySubstitutionDetected() {
        let body = "3212002020000123"
        let check = ISO7064Mod3736.checkCharacter(for: body)!
        let characters = Array(body + String(check))
        for index in characters.indices {
            for replacement in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" where replacement != characters[index] {
                var changed = characters
                changed[index] = replacement
                #expect(!ISO7064Mod3736.isValid(String(changed)), "\(String(changed))")
            }
        }
    }

    @Test func hybridSystemMissesSomeTranspositions() {
        // MOD 37,36 is a hybrid system: it misses a transposition when the two running values happen to
        // coincide. For this body exactly one of the adjacent swaps goes undetected (01 → 10 at serial digits).
        let body = Array("3212002020000123")
        let check = ISO7064Mod3736.checkCharacter(for: String(body))!
        var undetected: [String] = []
        for index in 0..<(body.count - 1) where body[index] != body[index + 1] {
            var swapped = body
            swapped.swapAt(index, index + 1)
            if ISO7064Mod3736.isValid(String(swapped) + String(check)) { undetected.append(String(swapped)) }
        }
        #expect(undetected == ["3212002020001023"])
    }

    @Test func licenceIdentifierShape() throws {
        let identifier = try LicenceIdentifier.make(typeCode: "11100000MB0000000A001", issuerCreditCode: "11321200MB1234567X",
                                                    serial: "3212002020000123", version: 1)
        let parts = identifier.dropFirst(LicenceIdentifier.prefix.count).split(separator: ".")
        #expect(identifier.hasPrefix("1.2.156.3005.2."))
        #expect(parts.count == 5)
        #expect(parts[3] == "001")
        #expect(ISO7064Mod3736.isValid(parts.dropLast().joined() + parts[4]))
    }
}

struct VerificationCodeTests {
    @Test func generatedCodesUseTheAlphabet() {
        for _ in 0..<200 {
            let code = VerificationCode.generate()
            #expect(code.count == 20)
            #expect(code.allSatisfy { VerificationCode.alphabet.contains($0) })
            #expect(!code.contains("0") && !code.contains("O") && !code.contains("1") && !code.contains("I"))
        }
    }

    @Test func typedVariantsNormalize() {
        let code = "ABCDE-FGHJK-LMNPQ-RSTUV"
        #expect(VerificationCode.normalize(code) == "ABCDEFGHJKLMNPQRSTUV")
        #expect(VerificationCode.normalize("abcde fghjk lmnpq rstuv") == "ABCDEFGHJKLMNPQRSTUV")
        #expect(VerificationCode.normalize("ＡＢＣＤＥ－ＦＧＨＪＫ－ＬＭＮＰＱ－ＲＳＴＵＶ") == "ABCDEFGHJKLMNPQRSTUV")
        #expect(VerificationCode.normalize("ABCDEFGHJKLMNPQRSTU0") == nil)
        #expect(VerificationCode.normalize("ABC") == nil)
    }

    @Test func alphabetBytesMatchAlphabet() {
        for byte in UInt8.min...UInt8.max {
            let inAlphabet = VerificationCode.alphabet.contains(Character(Unicode.Scalar(byte)))
            #expect(VerificationCode.isAlphabetByte(byte) == inAlphabet, "byte \(byte)")
        }
    }

    @Test func twentyByteInputsOutsideAlphabet() {
        // These take the slow path of normalize, which must fold or reject them.
        #expect(VerificationCode.normalize("abcdefghjkLMNPQRSTUV") == "ABCDEFGHJKLMNPQRSTUV")
        #expect(VerificationCode.normalize("ABCDEFGHJKLMNPQRSTUI") == nil)
        #expect(VerificationCode.normalize("ABCDEFGHJKLMNPQRST/V") == nil)
        #expect(VerificationCode.normalize("ABCDEFGHJKLMNPQRSTUV") == "ABCDEFGHJKLMNPQRSTUV")
    }
}
