import CecertCore
import CecertStore
import Foundation

/// What the PDF renderer offers the issuer.
protocol CertificateRendering {
    var currentTemplateVersion: String { get }
    func checkPrintable(_ facts: CertificateFacts) throws
    func render(_ facts: CertificateFacts) throws -> [UInt8]
}

/// The outcome of one `cecert issue` run.
struct IssueReport {
    var issued: [String] = []
    /// Applications that were not issued, with the reason; the rest of the batch went on.
    var refused: [(applicationID: String, reason: String)] = []
    /// Committed certificates whose file was missing and was written again from the snapshot.
    var recovered = 0
    var removedTemporaries = 0
}

/// Turns final-approved applications into certificates: number, code, PDF, signed record.
///
/// Each certificate is inserted in a savepoint inside a group transaction, and its PDF is renamed into
/// place only after the group commits. A crash therefore leaves either a committed certificate (whose
/// file a rerun writes again from the snapshot, byte for byte) or nothing: no number is consumed twice.
struct Issuer {
    let store: ReviewStore
    let renderer: any CertificateRendering
    let files: CertificateFiles
    let key: SigningKey
    let factsBuilder: FactsBuilder
    let areaCode: String
    let norms: HourNorms
    let groupSize: Int
    let logger: Logger
    var progress: (Int, Int) -> Void = { _, _ in }

    func run(batch: String?) throws -> IssueReport {
        let lock = try IssuanceLock(storePath: store.connection.path, logger: logger)
        defer { lock.close() }
        var report = IssueReport()
        report.removedTemporaries = files.removeStaleTemporaries()
        report.recovered = try recoverMissingFiles()

        let pending = try store.applicationsAwaitingCertificate(batch: batch)
        var done = 0
        var start = 0
        while start < pending.count {
            let group = pending[start..<min(start + groupSize, pending.count)]
            start += group.count
            var written: [(temporary: String, number: String)] = []
            var groupError: Error?
            try store.connection.withTransaction {
                for applicationID in group {
                    do {
                        if let item = try store.connection.withSavepoint("item", { try issueOne(applicationID) }) {
                            written.append(item)
                        }
                    } catch let error as CecertError where error.code == .io {
                        groupError = error
                        break
                    } catch {
                        let reason = (error as? CecertError)?.message ?? "\(error)"
                        report.refused.append((applicationID, reason))
                        logger.warning("Application not issued", metadata: ["application.id": applicationID, "reason": reason])
                    }
                }
            }
            for item in written {
                try files.publish(temporary: item.temporary, number: item.number)
                report.issued.append(item.number)
            }
            done += group.count
            progress(done, pending.count)
            if let groupError { throw groupError }
        }
        return report
    }

    /// Issues one application inside the caller's savepoint; returns nil when it already has a certificate
    /// (another issuer got there first).
    func issueOne(_ applicationID: String) throws -> (temporary: String, number: String)? {
        guard try !store.hasCurrentCertificate(applicationID: applicationID) else { return nil }
        guard let application = try store.application(id: applicationID) else {
            throw CecertError(.notFound, "application \(applicationID) is not in the store")
        }
        let evaluation = HourRules.evaluate(application, norms: norms)
        let number = CertificateNumber(area: areaCode, year: application.batch.year,
                                       serial: try store.nextSerial(area: areaCode, year: application.batch.year))
        let code = VerificationCode.generate()
        let facts = try factsBuilder.makeFacts(for: application, evaluation: evaluation, number: number, code: code,
                                               templateVersion: renderer.currentTemplateVersion,
                                               licenceVersion: try store.certificateCount(applicationID: applicationID) + 1)
        try renderer.checkPrintable(facts)
        let pdf = try renderer.render(facts)
        let record = CertificateRecord(facts: facts, pdfSHA256: Sodium.sha256Hex(pdf))
        let json = try record.canonicalJSON()
        let temporary = try files.writeTemporary(pdf, number: number.description)
        do {
            try store.insertCertificate(NewCertificate(
                number: number, applicationID: applicationID, verificationCode: code, recordJSON: json,
                signature: key.sign(json), keyID: key.keyID, pdfSHA256: record.pdfSHA256,
                templateVersion: facts.templateVersion, issuedAt: Date()))
        } catch {
            unlink(temporary)
            throw error
        }
        logger.debug("Certificate issued", metadata: ["cert.number": number.description, "application.id": applicationID])
        return (temporary, number.description)
    }

    /// Writes again, from the signed snapshot, every committed certificate whose file is missing.
    func recoverMissingFiles() throws -> Int {
        var recovered = 0
        for number in try store.allCertificateNumbers() where !files.exists(number) {
            guard let stored = try store.certificate(number: number), stored.state != .superseded else { continue }
            let pdf = try Reprint.render(stored, renderer: renderer)
            try files.writeAtomically(pdf, to: files.finalPath(number))
            recovered += 1
        }
        return recovered
    }
}

/// Rendering an issued certificate again from its stored snapshot.
enum Reprint {
    /// The PDF of a stored certificate, checked byte for byte against the hash recorded at issue.
    /// - Throws: `CecertError(.rendering)` when the bytes differ, for example after a template file changed.
    static func render(_ stored: StoredCertificate, renderer: any CertificateRendering) throws -> [UInt8] {
        let record = try CertificateRecord.decode(canonicalJSON: stored.recordJSON)
        let pdf = try renderer.render(record.facts)
        guard Sodium.sha256Hex(pdf) == record.pdfSHA256 else {
            throw CecertError(.rendering, "certificate \(stored.number) no longer renders to the issued bytes; template \(record.facts.templateVersion) or the font changed since issue")
        }
        return pdf
    }
}
