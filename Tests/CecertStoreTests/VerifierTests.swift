import CecertCore
import CecertStore
import Foundation
import Testing

/// The verifier over a real store file: every state, and tampering done with SQL behind its back.
struct VerifierTests {
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

    /// A store with one imported application and one certificate signed by `key`.
    static func makeStore(_ directory: TemporaryDirectory, key: SigningKey, code: String) throws -> ReviewStore {
        let store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        var report = ImportReport()
        try store.importApplications([(1, try SampleRecords.decode())], into: &report)
        try store.registerPublicKey(key.publicKey, keyID: key.keyID)
        let json = try CertificateRecord(facts: facts(code: code), pdfSHA256: "ab").canonicalJSON()
        try store.insertCertificate(NewCertificate(
            number: CertificateNumber(parsing: "321200-2020-000001-6")!, applicationID: "SZ2020-000001",
            verificationCode: code, recordJSON: json, signature: key.sign(json), keyID: key.keyID, pdfSHA256: "ab",
            templateVersion: "1", issuedAt: Date()))
        return store
    }

    @Test func statesFollowTheStore() throws {
        let directory = TemporaryDirectory()
        let key = SigningKey.generate()
        let code = VerificationCode.generate()
        let store = try Self.makeStore(directory, key: key, code: code)
        defer { store.close() }
        let lookups = try StoreDirectory(path: store.connection.path)
        defer { lookups.close() }
        let logs = LogCapture()
        let verifier = Verifier(directory: lookups, logger: Logger(label: "test", sink: logs.sink))

        #expect(try verifier.verify(code: code.lowercased()).status == "valid")
        #expect(try verifier.verify(code: "ABC").status == "malformed")
        #expect(try verifier.verify(code: VerificationCode.generate()).status == "not_found")

        try store.connection.run("UPDATE certificates SET state = 'revoked', revoked_at = '2020-06-01T10:00:00+08:00', revocation_reason = 'error'")
        guard case let .revoked(_, at, reason) = try verifier.verify(code: code) else {
            Issue.record("expected revoked")
            return
        }
        #expect(at == Timestamp.parse("2020-06-01T10:00:00+08:00"))
        #expect(reason == "error")

        try store.connection.run("UPDATE certificates SET state = 'superseded'")
        #expect(try verifier.verify(code: code).status == "superseded")
        #expect(logs.lines.isEmpty)
    }

    @Test func editedRecordIsTamperedAndLogged() throws {
        let directory = TemporaryDirectory()
        let key = SigningKey.generate()
        let code = VerificationCode.generate()
        let store = try Self.makeStore(directory, key: key, code: code)
        defer { store.close() }
        try store.connection.run("UPDATE certificates SET record_json = CAST(replace(CAST(record_json AS TEXT), '巴特尔', '巴特而') AS BLOB)")
        let lookups = try StoreDirectory(path: store.connection.path)
        defer { lookups.close() }
        let logs = LogCapture()
        let verifier = Verifier(directory: lookups, logger: Logger(label: "test", sink: logs.sink))
        #expect(try verifier.verify(code: code) == .tampered(number: "321200-2020-000001-6"))
        #expect(logs.lines.count == 1)
        #expect(logs.lines.first?.contains("error test: Certificate record failed its signature check") == true)
        #expect(logs.lines.first?.contains("cert.number=321200-2020-000001-6") == true)
        #expect(logs.lines.first?.contains(code) == false)

        for _ in 0..<5 { #expect(try verifier.verify(code: code).status == "tampered") }
        #expect(logs.lines.count == 1)
    }

    @Test func signatureOfAnotherKeyIsTampered() throws {
        let directory = TemporaryDirectory()
        let key = SigningKey.generate()
        let code = VerificationCode.generate()
        let store = try Self.makeStore(directory, key: key, code: code)
        defer { store.close() }
        let forged = SigningKey.generate()
        let json = try #require(try store.certificate(verificationCode: code)?.recordJSON)
        try store.connection.run("UPDATE certificates SET signature = ?", [.blob(forged.sign(json))])
        let lookups = try StoreDirectory(path: store.connection.path)
        defer { lookups.close() }
        let verifier = Verifier(directory: lookups, logger: Logger(label: "test", sink: LogCapture().sink))
        #expect(try verifier.verify(code: code).status == "tampered")
    }
}
