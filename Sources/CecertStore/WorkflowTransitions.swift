import CecertCore
import Foundation

/// The outcome of correcting an application's courses.
public struct CorrectionResult: Sendable {
    public var state: WorkflowState
    public var version: Int
    /// Courses kept after the five-year rule.
    public var keptCourses: Int
    /// Courses outside the five years before the batch year, which the store does not keep.
    public var ignored: [String]
}

// MARK: - Workflow transitions

extension ReviewStore {
    /// Submits (or resubmits after a pre-review return) an application.
    ///
    /// The batch must admit the applicant's region and acceptance point, and `at` must fall inside the
    /// batch window in China time.
    /// - Parameter expectedVersion: the version the caller last read. Nil takes the version read just
    ///   before the write transaction.
    /// - Throws: `CecertError(.workflow)` naming the rule that rejects the submission, or
    ///   `CecertError(.conflict)` when another writer changed the application first.
    @discardableResult
    public func submit(applicationID: String, actor: String, at: Date = Date(), expectedVersion: Int? = nil) throws -> WorkflowState {
        try transition(applicationID: applicationID, expectedVersion: expectedVersion) { application, state, configuration in
            let next = try Workflow.next(from: state, .submit)
            if let previous = application.reviews.last?.at, at < previous {
                throw CecertError(.workflow, "a submission dated \(Timestamp.format(at)) would come before the review it follows (\(Timestamp.format(previous)))")
            }
            try configuration.checkAdmission(region: application.applicant.region, acceptancePoint: application.acceptancePoint)
            try configuration.checkWindow(at)
            try connection.run("UPDATE applications SET submitted_at = ? WHERE id = ?", [.text(Timestamp.format(at)), .text(applicationID)])
            try recordEvent(actor: actor, action: "application.submit", subject: applicationID,
                            detail: state == .preReturned ? "resubmitted after a pre-review return" : "", at: at)
            return next
        }
    }

    /// Records a pre- or final-review decision and moves the application to its next state.
    /// - Parameter expectedVersion: the version the reviewer looked at. Nil takes the version read just
    ///   before the write transaction.
    /// - Throws: `CecertError(.workflow)` naming the rule that rejects the decision, or
    ///   `CecertError(.conflict)` when another reviewer decided first.
    @discardableResult
    public func decide(applicationID: String, stage: ReviewStage, decision: ReviewDecision, reviewer: String,
                       comment: String = "", at: Date = Date(), expectedVersion: Int? = nil) throws -> WorkflowState {
        guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CecertError(.invalidInput, "a decision needs the reviewer's name")
        }
        if decision == .returned, comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw CecertError(.invalidInput, "a return needs a comment that tells the applicant what to correct")
        }
        guard at <= Date().addingTimeInterval(600) else {
            throw CecertError(.invalidInput, "the decision time \(Timestamp.format(at)) is in the future")
        }
        return try transition(applicationID: applicationID, expectedVersion: expectedVersion) { application, state, _ in
            let next = try Workflow.next(from: state, .decide(stage, decision))
            if let previous = application.reviews.last?.at ?? application.submittedAt, at < previous {
                throw CecertError(.workflow, "a decision dated \(Timestamp.format(at)) would come before the submission or the previous review (\(Timestamp.format(previous)))")
            }
            let review = Review(stage: stage, decision: decision, reviewer: reviewer, at: at, comment: comment)
            try insertReviews([review], applicationID: applicationID, firstSeq: application.reviews.count)
            return next
        }
    }

    /// Replaces or extends the courses of a draft or pre-returned application. Courses outside the
    /// five years before the batch year are dropped and listed in the result.
    ///
    /// A later import of the platform's export overwrites corrected courses with the file's courses.
    /// - Throws: `CecertError(.workflow)` unless the application is a draft or pre-returned.
    public func correctCourses(applicationID: String, courses: [Course], replace: Bool, actor: String, at: Date = Date(),
                               expectedVersion: Int? = nil) throws -> CorrectionResult {
        var result = CorrectionResult(state: .draft, version: 0, keptCourses: 0, ignored: [])
        let state = try transition(applicationID: applicationID, expectedVersion: expectedVersion) { application, state, _ in
            guard state == .draft || state == .preReturned else {
                throw CecertError(.workflow, "only a draft or pre-returned application can be corrected; \(applicationID) is \(state.rawValue)")
            }
            let keptYears = (application.batch.year - 5)...(application.batch.year - 1)
            var kept = replace ? [] : application.courses
            for course in courses {
                if keptYears.contains(course.year) {
                    kept.append(course)
                } else {
                    result.ignored.append("\(course.year) \(course.title): outside the five years \(keptYears.lowerBound)-\(keptYears.upperBound) before the batch year; ignored")
                }
            }
            try connection.run("DELETE FROM courses WHERE application_id = ?", [.text(applicationID)])
            try insertCourses(kept, applicationID: applicationID)
            result.keptCourses = kept.count
            try recordEvent(actor: actor, action: "application.correct", subject: applicationID,
                            detail: "\(replace ? "replaced courses with" : "added") \(courses.count - result.ignored.count) course(s)", at: at)
            return state
        }
        result.state = state
        result.version = try workflowStatus(applicationID: applicationID)?.version ?? 0
        return result
    }

    /// Runs one compare-and-set transition inside `BEGIN IMMEDIATE`.
    ///
    /// The version check and the update happen under the write lock, so of two writers that read the
    /// same version exactly one succeeds and the other gets a conflict: no update is lost.
    func transition(applicationID: String, expectedVersion: Int?,
                    _ body: (Application, WorkflowState, BatchConfiguration) throws -> WorkflowState) throws -> WorkflowState {
        guard let seen = try expectedVersion ?? workflowStatus(applicationID: applicationID)?.version else {
            throw Self.unknownApplication(applicationID)
        }
        return try connection.withTransaction {
            guard let current = try workflowStatus(applicationID: applicationID),
                  let application = try application(id: applicationID) else {
                throw Self.unknownApplication(applicationID)
            }
            guard current.version == seen else {
                throw Self.conflict(applicationID, seen: seen, current: current)
            }
            guard let configuration = try batchConfiguration(code: application.batch.code) else {
                throw Self.unknownBatch(application.batch.code)
            }
            let next = try body(application, current.state, configuration)
            let changed = try connection.run("UPDATE applications SET state = ?, version = version + 1 WHERE id = ? AND version = ?",
                                             [.text(next.rawValue), .text(applicationID), .int(seen)])
            guard changed == 1 else {
                throw Self.conflict(applicationID, seen: seen, current: current)
            }
            return next
        }
    }

    static func conflict(_ id: String, seen: Int, current: (state: WorkflowState, version: Int)) -> CecertError {
        CecertError(.conflict, "application \(id) was changed by someone else (version \(seen) is now \(current.version), state \(current.state.rawValue)); run `cecert applications show \(id)` and decide again")
    }

    static func unknownApplication(_ id: String) -> CecertError {
        CecertError(.notFound, "application \(id) is not in the store; check the id with `cecert applications list`")
    }
}
