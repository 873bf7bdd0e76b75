import CecertCore
import Foundation
import Testing

struct SignedRecordTests {
    static func facts(code: String) -> CertificateFacts {
        CertificateFacts(
            number: "321200-2020-000001-6", verificationCode: code, verifyURL: "http://127.0.0.1:8080/v/\(code)",
            holderName: "巴特尔·其木格", maskedIDNumber: "321204********0326", workUnit: "泰州市人民医院",
            acceptancePoint: "市直—泰州市卫生健康委员会", currentTitle: "初级（二级教师）", declaration: "其他",
            qualificationYears: 1, periodStart: 2019, periodEnd: 2019, requiredHours: Hours(40), requiredPublicCourses: 0,
            publicCourses: 1, publicHours: Hours(25), professionalHours: Hours(15), totalHours: Hours(40),
            years: [YearSummary(year: 2019, publicCourses: 1, publicHours: Hours(25), professionalHours: Hours(15))],
            batchCode: "2020-SZ-CE", batchName: "2020年批次", issueDate: CivilDate("2020-05-09")!,
            issuer: "泰州市职称办", licenceIdentifier: nil, templateVersion: "1")
    }

    @Test func canonicalJSONRoundTrips() throws {
        let record = CertificateRecord(facts: Self.facts(code: "ABCDEFGHJKLMNPQRSTUV"), pdfSHA256: "00ff")
        let bytes = try record.canonicalJSON()
        let decoded = try CertificateRecord.decode(canonicalJSON: bytes)
        #expect(decoded == record)
        #expect(try decoded.canonicalJSON() == bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"facts":{"acceptance_point":"市直—泰州市卫生健康委员会","batch_code":"2020-SZ-CE""#))
        #expect(text.hasSuffix(#""pdf_sha256":"00ff"}"#))
        #expect(text.contains(#""total_hours":"40""#))
    }

    @Test func decomposedNameSignsLikeComposed() throws {
        var decomposed = Self.facts(code: "ABCDEFGHJKLMNPQRSTUV")
        decomposed.holderName = "Jose\u{0301}"
        var composed = decomposed
        composed.holderName = "Jos\u{00E9}"
        #expect(try CertificateRecord(facts: decomposed, pdfSHA256: "").canonicalJSON()
            == CertificateRecord(facts: composed, pdfSHA256: "").canonicalJSON())
    }

    @Test func seedRebuildsSameKey() throws {
        let key = SigningKey.generate()
        let rebuilt = try SigningKey(seed: key.seed)
        #expect(rebuilt.publicKey == key.publicKey)
        #expect(rebuilt.keyID == key.keyID)
        #expect(key.description == "SigningKey(\(key.keyID))")
        #expect(!key.description.contains(Sodium.hex(key.seed)))
    }
}
