import CecertCore
import CecertStore
import Foundation

/// The part of the PDF renderer that the issuer uses.
protocol CertificateRendering {
    var currentTemplateVersion: String { get }
    func checkPrintable(_ facts: CertificateFacts) throws
    func render(_ facts: CertificateFacts) throws -> [UInt8]
    func render(_ facts: CertificateFacts, templateSource: [UInt8]) throws -> [UInt8]
    func templateSource(version: String) -> [UInt8]?
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
    /// One renderer per worker thread; certificates of a group render in parallel, one per renderer at a time.
    let renderers: [any CertificateRendering]
    let files: CertificateFiles
    let key: SigningKey
    let factsBuilder: FactsBuilder
    let areaCode: String
    let groupSize: Int
    let logger: Logger
    var progress: (Int, Int) -> Void = { _, _ in }

    var renderer: any CertificateRendering { renderers[0] }

    /// An application that passed the rules and the font check, with the number it will carry.
    struct Prepared: Sendable {
        var application: Application
        var evaluation: RuleEvaluation
        var number: CertificateNumber
        var facts: CertificateFacts
    }

    func run(batch: String?) throws -> IssueReport {
        let lock = try IssuanceLock(storePath: store.connection.path, logger: logger)
        defer { lock.close() }
        var report = IssueReport()
        try recordCurrentTemplate()
        report.removedTemporaries = files.removeStaleTemporaries()
        report.recovered = try recoverMissingFiles()

        let pending = try store.applicationsAwaitingCertificate(batch: batch)
        var done = 0
        var start = 0
        while start < pending.count {
            let group = Array(pending[start..<min(start + groupSize, pending.count)])
            start += group.count
            var written: [(temporary: String, number: String)] = []
            var groupError: Error?
            try store.connection.withTransaction {
                groupError = try issueGroup(group, written: &written, report: &report)
            }
            for item in written {
                try files.publish(temporary: item.temporary, number: item.number)
                report.issued.append(item.number)
            }
            if let groupError { throw groupError }
            done += group.count
            progress(done, pending.count)
        }
        return report
    }

    /// Issues one group inside the caller's transaction: prepares each application in order, renders the
    /// prepared ones in parallel, then inserts them in order, each in its own savepoint.
    ///
    /// Serials are handed out in order as applications pass their checks. When a render fails after
    /// that, the later certificates of that year move down one serial and render again, so numbers stay
    /// contiguous. Returns the I/O error that stopped the group early, if any.
    func issueGroup(_ group: [String], written: inout [(temporary: String, number: String)],
                    report: inout IssueReport) throws -> Error? {
        var nextSerial: [Int: Int] = [:]
        var prepared: [Prepared] = []
        for applicationID in group {
            do {
                guard let application = try loadIfUncertified(applicationID) else { continue }
                let year = application.batch.year
                let serial = try nextSerial[year] ?? store.nextSerial(area: areaCode, year: year)
                prepared.append(try prepare(application, number: CertificateNumber(area: areaCode, year: year, serial: serial)))
                nextSerial[year] = serial + 1
            } catch {
                refuse(applicationID, error, report: &report)
            }
        }

        let sealed = sealInParallel(prepared)
        var shift: [Int: Int] = [:]
        for (index, var item) in prepared.enumerated() {
            let year = item.number.year
            do {
                var ready = try sealed[index].get()
                if let offset = shift[year], offset > 0 {
                    unlink(ready.temporary)
                    let number = CertificateNumber(area: areaCode, year: year, serial: item.number.serial - offset)
                    item = try prepare(item.application, evaluation: item.evaluation, number: number)
                    ready = try Issuer.seal(item, pdf: try renderer.render(item.facts), files: files, key: key)
                }
                let certificate = ready
                written.append(try store.connection.withSavepoint("item", { try insert(item, certificate) }))
            } catch let error as CecertError where error.code == .io {
                for case .success(let later) in sealed[(index + 1)...] { unlink(later.temporary) }
                return error
            } catch {
                shift[year, default: 0] += 1
                refuse(item.application.id, error, report: &report)
            }
        }
        return nil
    }

    /// Keeps the bytes of the template new certificates use, so their reprints never depend on the file.
    func recordCurrentTemplate() throws {
        let version = renderer.currentTemplateVersion
        guard let source = renderer.templateSource(version: version) else { return }
        try store.connection.withTransaction {
            try store.recordTemplate(version: version, content: source, fileName: "template file certificate-v\(version).json")
        }
    }

    func refuse(_ applicationID: String, _ error: Error, report: inout IssueReport) {
        let reason = (error as? CecertError)?.message ?? "\(error)"
        report.refused.append((applicationID, reason))
        logger.warning("Application not issued", metadata: ["application.id": applicationID, "reason": reason])
    }

    /// Issues one application inside the caller's transaction; returns nil when it already has a certificate
    /// (another issuer got there first).
    func issueOne(_ applicationID: String) throws -> (temporary: String, number: String)? {
        guard let application = try loadIfUncertified(applicationID) else { return nil }
        let year = application.batch.year
        let number = CertificateNumber(area: areaCode, year: year, serial: try store.nextSerial(area: areaCode, year: year))
        let item = try prepare(application, number: number)
        let sealed = try Issuer.seal(item, pdf: try renderer.render(item.facts), files: files, key: key)
        return try insert(item, sealed)
    }

    func loadIfUncertified(_ applicationID: String) throws -> Application? {
        guard try !store.hasCurrentCertificate(applicationID: applicationID) else { return nil }
        guard let application = try store.application(id: applicationID) else {
            throw CecertError(.notFound, "application \(applicationID) is not in the store")
        }
        return application
    }

    /// Checks the rules and the font, and builds the facts the certificate will print.
    /// - Throws: `CecertError(.ruleNotMet)` naming what is missing, or `.unsupportedCharacter` naming the character.
    func prepare(_ application: Application, evaluation known: RuleEvaluation? = nil, number: CertificateNumber) throws -> Prepared {
        let evaluation = try known ?? HourRules.evaluate(application, norms: store.norms(batch: application.batch.code))
        let facts = try factsBuilder.makeFacts(for: application, evaluation: evaluation, number: number,
                                               code: VerificationCode.generate(),
                                               templateVersion: renderer.currentTemplateVersion,
                                               licenceVersion: try store.certificateCount(applicationID: application.id) + 1)
        try renderer.checkPrintable(facts)
        return Prepared(application: application, evaluation: evaluation, number: number, facts: facts)
    }

    /// A certificate whose PDF is written under its temporary name and whose record is signed, ready to insert.
    struct Sealed: Sendable {
        let temporary: String
        let recordJSON: [UInt8]
        let signature: [UInt8]
        let pdfSHA256: String
    }

    /// Hashes the PDF, signs the record and writes the PDF under its temporary name. Touches no store, so
    /// the worker threads run it right after rendering.
    static func seal(_ item: Prepared, pdf: [UInt8], files: CertificateFiles, key: SigningKey) throws -> Sealed {
        let record = CertificateRecord(facts: item.facts, pdfSHA256: Sodium.sha256Hex(pdf))
        let json = try record.canonicalJSON()
        let temporary = try files.writeTemporary(pdf, number: item.number.description)
        return Sealed(temporary: temporary, recordJSON: json, signature: key.sign(json), pdfSHA256: record.pdfSHA256)
    }

    /// Inserts a sealed certificate; removes its temporary file when the insert fails.
    func insert(_ item: Prepared, _ sealed: Sealed) throws -> (temporary: String, number: String) {
        let number = item.number.description
        do {
            try store.insertCertificate(NewCertificate(
                number: item.number, applicationID: item.application.id, verificationCode: item.facts.verificationCode,
                recordJSON: sealed.recordJSON, signature: sealed.signature, keyID: key.keyID, pdfSHA256: sealed.pdfSHA256,
                templateVersion: item.facts.templateVersion, issuedAt: Date()))
        } catch {
            unlink(sealed.temporary)
            throw error
        }
        logger.debug("Certificate issued", metadata: ["cert.number": number, "application.id": item.application.id])
        return (sealed.temporary, number)
    }

    /// Renders and seals each prepared certificate on the renderer pool, in parallel when there is more
    /// than one renderer.
    func sealInParallel(_ prepared: [Prepared]) -> [Result<Sealed, Error>] {
        let pool = RendererPool(renderers)
        let results = ResultSlots<Sealed>(count: prepared.count)
        let files = self.files
        let key = self.key
        DispatchQueue.concurrentPerform(iterations: prepared.count) { index in
            let renderer = pool.take()
            defer { pool.give(renderer) }
            results.set(index, Result {
                try Issuer.seal(prepared[index], pdf: try renderer.render(prepared[index].facts), files: files, key: key)
            })
        }
        return results.values
    }

    /// Writes again, from the signed snapshot, every committed certificate whose file is missing.
    func recoverMissingFiles() throws -> Int {
        var recovered = 0
        for number in try store.allCertificateNumbers() where !files.exists(number) {
            guard let stored = try store.certificate(number: number), stored.state != .superseded else { continue }
            let pdf = try Reprint.render(stored, renderer: renderer, store: store)
            try CertificateFiles.writeAtomically(pdf, to: files.finalPath(number))
            recovered += 1
        }
        return recovered
    }
}

/// Renderers handed to worker threads one at a time.
final class RendererPool: @unchecked Sendable {
    // @unchecked: `free` is only touched under `lock`, and a taken renderer is used by one thread until given back.
    private let lock = NSCondition()
    private var free: [any CertificateRendering]

    init(_ renderers: [any CertificateRendering]) { free = renderers }

    func take() -> any CertificateRendering {
        lock.lock()
        defer { lock.unlock() }
        while free.isEmpty { lock.wait() }
        return free.removeLast()
    }

    func give(_ renderer: any CertificateRendering) {
        lock.lock()
        free.append(renderer)
        lock.signal()
        lock.unlock()
    }
}

/// One result slot per certificate of a group, written by the worker that rendered it.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // @unchecked: each index is written by exactly one worker, and `values` is read after all workers finish.
    private let lock = NSLock()
    private var slots: [Result<Value, Error>]

    init(count: Int) { slots = Array(repeating: .failure(CecertError(.rendering, "not rendered")), count: count) }

    func set(_ index: Int, _ value: Result<Value, Error>) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Result<Value, Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// Rendering an issued certificate again from its stored snapshot.
enum Reprint {
    /// Renders a stored certificate and checks the bytes against the hash recorded at issue.
    /// - Throws: `CecertError(.rendering)` when the bytes differ, for example after a template file changed.
    static func render(_ stored: StoredCertificate, renderer: any CertificateRendering, store: ReviewStore) throws -> [UInt8] {
        let record = try CertificateRecord.decode(canonicalJSON: stored.recordJSON)
        let pdf: [UInt8]
        if let template = try store.templateSource(version: record.facts.templateVersion) {
            pdf = try renderer.render(record.facts, templateSource: template.content)
        } else {
            pdf = try renderer.render(record.facts)
        }
        guard Sodium.sha256Hex(pdf) == record.pdfSHA256 else {
            throw CecertError(.rendering, "certificate \(stored.number) no longer renders to the issued bytes; template \(record.facts.templateVersion) or the font changed since issue")
        }
        return pdf
    }
}
