import CecertCore
import Foundation

/// The review store: batches, applicants, applications with their courses and review history, and
/// issued certificates, in one SQLite file.
///
/// A `ReviewStore` owns one connection and is used from one thread at a time.
public final class ReviewStore {
    public let connection: SQLiteConnection
    /// The `PRAGMA data_version` that `StoreDirectory.changeGeneration()` last read on this connection.
    var observedDataVersion: Int64?

    /// Opens the store at `path`, creating its folder and file if needed, and applies pending migrations.
    ///
    /// A new file is created with mode 0600, because it contains full ID numbers and phone numbers.
    /// SQLite gives its `-wal` and `-shm` files the same mode.
    /// - Parameter mustExist: fail instead of creating a missing file, for commands that only read or change
    ///   what an import or issue wrote.
    /// - Parameter memoryMapped: read the file through a memory map (see `SQLiteConnection`).
    public init(path: String, mustExist: Bool = false, memoryMapped: Bool = false) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard !mustExist else {
                throw CecertError(.notFound, "store \(path) does not exist; check --store, or run `cecert import` first")
            }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if descriptor >= 0 { Glibc.close(descriptor) }
        }
        connection = try SQLiteConnection(path: path, memoryMapped: memoryMapped)
        try Schema.migrate(connection)
    }

    public func close() { connection.close() }

    public var schemaVersion: Int {
        (try? connection.queryRow("SELECT MAX(version) AS version FROM schema_migrations")?.int("version")) ?? 0
    }
}

// MARK: - Import

/// The counts and reported records of one import.
public struct ImportReport: Sendable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var errors: [RecordError] = []
    /// Courses outside the five years before the batch year, which the store does not keep.
    public var ignoredCourses: [RecordError] = []
    /// Updated records whose application already has a certificate, which keeps its issued facts.
    public var certifiedChanges: [RecordError] = []

    public init() {}
}

extension ReviewStore {
    /// Imports decoded applications, each in its own savepoint so one bad record never stops the rest.
    ///
    /// Re-importing an unchanged record changes nothing. A changed record updates the application and
    /// its courses, and appends reviews that extend the stored history; a history that contradicts
    /// the stored one, or that the workflow forbids, is reported for that record.
    public func importApplications(_ records: [(line: Int, application: Application)], into report: inout ImportReport) throws {
        try connection.withTransaction {
            for (line, application) in records {
                do {
                    let outcome = try connection.withSavepoint { try upsert(application, line: line, report: &report) }
                    switch outcome {
                    case .inserted: report.inserted += 1
                    case .updated: report.updated += 1
                    case .unchanged: report.unchanged += 1
                    }
                } catch let error as RecordError {
                    report.errors.append(error)
                } catch let error as CecertError {
                    report.errors.append(RecordError(line: line, applicationID: application.id, field: "(record)",
                                                     message: error.description))
                }
            }
        }
    }

    enum UpsertOutcome { case inserted, updated, unchanged }

    func upsert(_ application: Application, line: Int, report: inout ImportReport) throws -> UpsertOutcome {
        func fail(_ field: String, _ message: String) -> RecordError {
            RecordError(line: line, applicationID: application.id, field: field, message: message)
        }
        let state: WorkflowState
        do {
            state = try Workflow.replay(submitted: application.submittedAt != nil, reviews: application.reviews,
                                        submittedAt: application.submittedAt)
        } catch let error as CecertError {
            throw fail("reviews", error.message)
        }
        if let submittedAt = application.submittedAt {
            let day = CivilDate(instant: submittedAt)
            guard day >= application.batch.opensOn, day <= application.batch.closesOn else {
                throw fail("submitted_at", "\(Timestamp.format(submittedAt)) is outside the batch window \(application.batch.opensOn) to \(application.batch.closesOn) (whole days, China time)")
            }
        }
        let keptYears = (application.batch.year - 5)...(application.batch.year - 1)
        var courses: [Course] = []
        for (index, course) in application.courses.enumerated() {
            if keptYears.contains(course.year) {
                courses.append(course)
            } else {
                report.ignoredCourses.append(fail("courses[\(index)].year",
                    "\(course.year) is outside the five years \(keptYears.lowerBound)-\(keptYears.upperBound) before the batch year; ignored"))
            }
        }
        let hash = try sourceHash(application)

        try upsertBatch(application.batch, line: line, applicationID: application.id)
        if let configuration = try batchConfiguration(code: application.batch.code),
           let problem = configuration.admissionProblem(region: application.applicant.region,
                                                        acceptancePoint: application.acceptancePoint) {
            throw fail(problem.field, problem.message)
        }
        try upsertApplicant(application.applicant, fail: fail)

        if let existing = try connection.queryRow("SELECT source_hash, batch_code FROM applications WHERE id = ?", [.text(application.id)]) {
            if existing.text("source_hash") == hash { return .unchanged }
            guard existing.text("batch_code") == application.batch.code else {
                throw fail("batch.code", "application is already recorded in batch \(existing.text("batch_code") ?? "")")
            }
            // An issued certificate prints its own snapshot, so the change reaches paper only through reissue.
            let certified = try connection.queryRow("""
                SELECT number FROM certificates WHERE application_id = ? AND state != 'superseded'
                """, [.text(application.id)])?.text("number")
            let stored = try reviews(applicationID: application.id)
            guard stored.count <= application.reviews.count,
                  zip(stored, application.reviews).allSatisfy({ sameReview($0, $1) }) else {
                throw fail("reviews", "the file's review history contradicts the stored one; reviews are append-only")
            }
            try connection.run("""
                UPDATE applications SET applicant_id = ?, acceptance_point = ?, title_level = ?, title_name = ?,
                    title_obtained_on = ?, declaration = ?, qualification_years = ?, submitted_at = ?, state = ?,
                    work_unit = ?, version = version + 1, source_hash = ? WHERE id = ?
                """, applicationValues(application, state: state) + [.text(hash), .text(application.id)])
            try connection.run("DELETE FROM courses WHERE application_id = ?", [.text(application.id)])
            try insertCourses(courses, applicationID: application.id)
            try insertReviews(Array(application.reviews.dropFirst(stored.count)), applicationID: application.id, firstSeq: stored.count)
            if let certified {
                report.certifiedChanges.append(fail("(record)",
                    "changed after certificate \(certified) was issued; the certificate keeps its issued facts until `cecert reissue \(certified)`"))
            }
            return .updated
        }
        try connection.run("""
            INSERT INTO applications (applicant_id, acceptance_point, title_level, title_name, title_obtained_on,
                declaration, qualification_years, submitted_at, state, work_unit, source_hash, id, batch_code)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, applicationValues(application, state: state) + [.text(hash), .text(application.id), .text(application.batch.code)])
        try insertCourses(courses, applicationID: application.id)
        try insertReviews(application.reviews, applicationID: application.id, firstSeq: 0)
        return .inserted
    }

    func applicationValues(_ application: Application, state: WorkflowState) -> [SQLiteValue] {
        [.text(application.applicant.idNumber), .text(application.acceptancePoint),
         .optionalText(application.currentTitle?.level.rawValue), .optionalText(application.currentTitle?.name),
         .optionalText(application.currentTitle?.obtainedOn?.description), .text(application.declaration.rawValue),
         .real(application.qualificationYears), .optionalText(application.submittedAt.map(Timestamp.format)),
         .text(state.rawValue), .text(application.applicant.workUnit)]
    }

    func sameReview(_ lhs: Review, _ rhs: Review) -> Bool {
        lhs.stage == rhs.stage && lhs.decision == rhs.decision && lhs.reviewer == rhs.reviewer
            && Int(lhs.at.timeIntervalSince1970) == Int(rhs.at.timeIntervalSince1970) && lhs.comment == rhs.comment
    }

    func upsertBatch(_ batch: Batch, line: Int, applicationID: String) throws {
        if let row = try connection.queryRow("SELECT name, opens_on, closes_on FROM batches WHERE code = ?", [.text(batch.code)]) {
            guard row.text("opens_on") == batch.opensOn.description, row.text("closes_on") == batch.closesOn.description else {
                throw RecordError(line: line, applicationID: applicationID, field: "batch",
                                  message: "batch \(batch.code) is recorded with the window \(row.text("opens_on") ?? "")..\(row.text("closes_on") ?? "")")
            }
            return
        }
        try connection.run("INSERT INTO batches (code, name, opens_on, closes_on) VALUES (?, ?, ?, ?)",
                           [.text(batch.code), .text(batch.name), .text(batch.opensOn.description), .text(batch.closesOn.description)])
    }

    func upsertApplicant(_ applicant: Applicant, fail: (String, String) -> RecordError) throws {
        if let row = try connection.queryRow("SELECT name FROM applicants WHERE id_number = ?", [.text(applicant.idNumber)]) {
            guard row.text("name") == applicant.name else {
                throw fail("applicant.name", "ID number \(IDNumber.mask(applicant.idNumber)) is already recorded with another name; correct one of them, the records are not merged")
            }
            try connection.run("UPDATE applicants SET phone = ?, email = ?, region = ?, work_unit = ? WHERE id_number = ?",
                               [.text(applicant.phone), .text(applicant.email), .text(applicant.region), .text(applicant.workUnit),
                                .text(applicant.idNumber)])
            return
        }
        try connection.run("INSERT INTO applicants (id_number, name, phone, email, region, work_unit) VALUES (?, ?, ?, ?, ?, ?)",
                           [.text(applicant.idNumber), .text(applicant.name), .text(applicant.phone), .text(applicant.email),
                            .text(applicant.region), .text(applicant.workUnit)])
    }

    func insertCourses(_ courses: [Course], applicationID: String) throws {
        for (position, course) in courses.enumerated() {
            try connection.run("""
                INSERT INTO courses (application_id, position, year, category, title, hours_hundredths, source, evidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(applicationID), .int(position), .int(course.year), .text(course.category.rawValue),
                      .text(course.title), .int(course.hours.hundredths), .text(course.source.rawValue),
                      .optionalText(course.evidence)])
        }
    }

    func insertReviews(_ reviews: [Review], applicationID: String, firstSeq: Int) throws {
        for (offset, review) in reviews.enumerated() {
            try connection.run("""
                INSERT INTO reviews (application_id, seq, stage, decision, reviewer, at, comment) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.text(applicationID), .int(firstSeq + offset), .text(review.stage.rawValue), .text(review.decision.rawValue),
                      .text(review.reviewer), .text(Timestamp.format(review.at)), .text(review.comment)])
        }
    }

    /// Hashes everything an import sets, so an unchanged line is recognised without comparing fields.
    func sourceHash(_ application: Application) throws -> String {
        var parts: [String] = [application.id, application.batch.code, application.batch.name,
                               application.batch.opensOn.description, application.batch.closesOn.description]
        let a = application.applicant
        parts += [a.idNumber, a.name, a.phone, a.email, a.region, a.workUnit, application.acceptancePoint]
        parts += [application.currentTitle?.level.rawValue ?? "", application.currentTitle?.name ?? "",
                  application.currentTitle?.obtainedOn?.description ?? "", application.declaration.rawValue,
                  String(application.qualificationYears), application.submittedAt.map(Timestamp.format) ?? ""]
        for course in application.courses {
            parts += ["c", String(course.year), course.category.rawValue, course.title, course.hours.description,
                      course.source.rawValue, course.evidence ?? ""]
        }
        for review in application.reviews {
            parts += ["r", review.stage.rawValue, review.decision.rawValue, review.reviewer, Timestamp.format(review.at), review.comment]
        }
        return Sodium.sha256Hex(Array(parts.joined(separator: "\u{1F}").utf8))
    }
}

// MARK: - Reading applications

extension ReviewStore {
    public func reviews(applicationID: String) throws -> [Review] {
        try connection.query("SELECT stage, decision, reviewer, at, comment FROM reviews WHERE application_id = ? ORDER BY seq",
                             [.text(applicationID)]).map { row in
            Review(stage: ReviewStage(rawValue: row.text("stage") ?? "") ?? .pre,
                   decision: ReviewDecision(rawValue: row.text("decision") ?? "") ?? .returned,
                   reviewer: row.text("reviewer") ?? "", at: Timestamp.parse(row.text("at") ?? "") ?? Date(timeIntervalSince1970: 0),
                   comment: row.text("comment") ?? "")
        }
    }

    /// Loads one application with its courses and reviews, or nil when the id is unknown.
    public func application(id: String) throws -> Application? {
        guard let row = try connection.queryRow("""
            SELECT a.*, b.name AS batch_name, b.opens_on, b.closes_on, p.name AS applicant_name, p.phone, p.email,
                   p.region, COALESCE(a.work_unit, p.work_unit) AS declared_work_unit
            FROM applications a JOIN batches b ON b.code = a.batch_code JOIN applicants p ON p.id_number = a.applicant_id
            WHERE a.id = ?
            """, [.text(id)]) else { return nil }
        let batch = Batch(code: row.text("batch_code") ?? "", name: row.text("batch_name") ?? "",
                          opensOn: CivilDate(row.text("opens_on") ?? "") ?? CivilDate(year: 2000, month: 1, day: 1)!,
                          closesOn: CivilDate(row.text("closes_on") ?? "") ?? CivilDate(year: 2000, month: 1, day: 1)!)
        let applicant = Applicant(idNumber: row.text("applicant_id") ?? "", name: row.text("applicant_name") ?? "",
                                  phone: row.text("phone") ?? "", email: row.text("email") ?? "",
                                  region: row.text("region") ?? "", workUnit: row.text("declared_work_unit") ?? "")
        var title: CurrentTitle?
        if let level = row.text("title_level").flatMap(TitleLevel.init(rawValue:)) {
            title = CurrentTitle(level: level, name: row.text("title_name") ?? "",
                                 obtainedOn: row.text("title_obtained_on").flatMap(CivilDate.init))
        }
        let courses = try connection.query("""
            SELECT year, category, title, hours_hundredths, source, evidence FROM courses WHERE application_id = ? ORDER BY position
            """, [.text(id)]).map { course in
            Course(year: course.int("year") ?? 0, category: CourseCategory(rawValue: course.text("category") ?? "") ?? .professional,
                   title: course.text("title") ?? "", hours: Hours(hundredths: course.int("hours_hundredths") ?? 0),
                   source: CourseSource(rawValue: course.text("source") ?? "") ?? .manual, evidence: course.text("evidence"))
        }
        return Application(id: id, batch: batch, applicant: applicant, acceptancePoint: row.text("acceptance_point") ?? "",
                           currentTitle: title, declaration: Declaration(rawValue: row.text("declaration") ?? "") ?? .other,
                           qualificationYears: row.double("qualification_years") ?? 1,
                           submittedAt: row.text("submitted_at").flatMap(Timestamp.parse), courses: courses,
                           reviews: try reviews(applicationID: id))
    }

    /// Ids of final-approved applications that have no current certificate, in id order.
    public func applicationsAwaitingCertificate(batch: String?) throws -> [String] {
        try connection.query("""
            SELECT a.id FROM applications a
            WHERE a.state = 'final_approved' AND (?1 IS NULL OR a.batch_code = ?1)
              AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.application_id = a.id AND c.state != 'superseded')
            ORDER BY a.id
            """, [.optionalText(batch)]).compactMap { $0.text("id") }
    }

    public func batchExists(_ code: String) throws -> Bool {
        try connection.queryRow("SELECT 1 AS one FROM batches WHERE code = ?", [.text(code)]) != nil
    }
}
