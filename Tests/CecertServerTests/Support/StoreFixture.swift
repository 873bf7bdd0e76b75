import CecertCore
import CecertStore
import Foundation

/// A real store file in its own temporary folder, with a signing key and helpers to issue certificates.
final class StoreFixture {
    let folder: URL
    let storePath: String
    let pdfFolder: URL
    let store: ReviewStore
    let key = SigningKey.generate()
    private var nextSerial = 1

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cecert-server-\(UUID().uuidString)")
        pdfFolder = folder.appendingPathComponent("pdf")
        try FileManager.default.createDirectory(at: pdfFolder, withIntermediateDirectories: true)
        storePath = folder.appendingPathComponent("review.sqlite").path
        store = try ReviewStore(path: storePath)
        try store.registerPublicKey(key.publicKey, keyID: key.keyID,
                                    at: Date(timeIntervalSince1970: 1_700_000_000))
        try store.connection.run("INSERT INTO batches (code, name, opens_on, closes_on) VALUES (?, ?, ?, ?)",
                                 [.text("2024A"), .text("2024年度第一批"), .text("2024-03-01"), .text("2024-04-30")])
    }

    /// Closes the fixture's own connection and deletes the folder.
    func remove() {
        store.close()
        try? FileManager.default.removeItem(at: folder)
    }

    /// An issued certificate as the tests know it.
    struct Issued {
        var number: String
        var code: String
        var facts: CertificateFacts
        var pdf: [UInt8]
    }

    /// Issues a signed certificate through the store's own insert, and writes its PDF file.
    @discardableResult
    func issue(name: String = "张三丰", workUnit: String = "泰州市第一中学", writePDF: Bool = true) throws -> Issued {
        let serial = nextSerial
        nextSerial += 1
        let number = CertificateNumber(area: "321200", year: 2024, serial: serial)
        let code = VerificationCode.generate()
        let idNumber = "3212022000" + String(format: "%08d", serial)
        let applicationID = "APP-\(serial)"
        try store.connection.run("""
            INSERT INTO applicants (id_number, name, region, work_unit) VALUES (?, ?, ?, ?)
            """, [.text(idNumber), .text(name), .text("海陵区"), .text(workUnit)])
        try store.connection.run("""
            INSERT INTO applications (id, batch_code, applicant_id, acceptance_point, declaration,
                qualification_years, state, source_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(applicationID), .text("2024A"), .text(idNumber), .text("海陵区人社局"),
                  .text("初级申报中级"), .real(5), .text("approved"), .text("hash-\(serial)")])

        let facts = Self.facts(number: number.description, code: code, name: name, workUnit: workUnit,
                               maskedID: IDNumber.mask(idNumber))
        let pdf = Array("%PDF-1.7\n% certificate \(number.description)\n%%EOF\n".utf8)
        let record = CertificateRecord(facts: facts, pdfSHA256: Sodium.sha256Hex(pdf))
        let json = try record.canonicalJSON()
        try store.insertCertificate(NewCertificate(
            number: number, applicationID: applicationID, verificationCode: code, recordJSON: json,
            signature: key.sign(json), keyID: key.keyID, pdfSHA256: record.pdfSHA256,
            templateVersion: "v1", issuedAt: Date(timeIntervalSince1970: 1_714_000_000)))
        if writePDF {
            try Data(pdf).write(to: pdfFolder.appendingPathComponent("\(number.description).pdf"))
        }
        return Issued(number: number.description, code: code, facts: facts, pdf: pdf)
    }

    static func facts(number: String, code: String, name: String, workUnit: String, maskedID: String) -> CertificateFacts {
        let years = [
            YearSummary(year: 2019, publicCourses: 1, publicHours: Hours(24), professionalHours: Hours(hundredths: 3650)),
            YearSummary(year: 2020, publicCourses: 1, publicHours: Hours(24), professionalHours: Hours(48)),
            YearSummary(year: 2021, publicCourses: 1, publicHours: Hours(24), professionalHours: Hours(48)),
            YearSummary(year: 2022, publicCourses: 1, publicHours: Hours(24), professionalHours: Hours(48)),
            YearSummary(year: 2023, publicCourses: 1, publicHours: Hours(24), professionalHours: Hours(48)),
        ]
        return CertificateFacts(
            number: number, verificationCode: code, verifyURL: "https://cert.example.cn/v/\(code)", holderName: name,
            maskedIDNumber: maskedID, workUnit: workUnit, acceptancePoint: "海陵区人社局",
            currentTitle: "初级（二级教师）", declaration: "初级申报中级", qualificationYears: 5, periodStart: 2019,
            periodEnd: 2023, requiredHours: Hours(360), requiredPublicCourses: 5, publicCourses: 5,
            publicHours: Hours(120), professionalHours: Hours(hundredths: 22850), totalHours: Hours(hundredths: 34850),
            years: years, batchCode: "2024A", batchName: "2024年度第一批", issueDate: CivilDate("2024-04-25")!,
            issuer: "泰州市人力资源和社会保障局", licenceIdentifier: nil, templateVersion: "v1")
    }

    /// Sets a certificate's state by SQL, as the revoke and reinstate commands do.
    func setState(_ number: String, _ state: String, revokedAt: Date? = nil, reason: String? = nil) throws {
        try store.connection.run("""
            UPDATE certificates SET state = ?, revoked_at = ?, revocation_reason = ? WHERE number = ?
            """, [.text(state), .optionalText(revokedAt.map(Timestamp.format)), .optionalText(reason), .text(number)])
    }

    /// Runs SQL through the `sqlite3` command-line shell, as an operator editing the file by hand would.
    func runSQLiteShell(_ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [storePath, sql]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw CecertError(.storage, "sqlite3 exited with \(process.terminationStatus): \(message)")
        }
    }
}
