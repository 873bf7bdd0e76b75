import CecertCore
import CecertStore
import Foundation
import Testing

/// A store file in its own temporary folder with the 2020 市直 batch configured and one draft application.
final class WorkflowFixture {
    static let id = "SZ2020-000001"
    let directory = TemporaryDirectory()
    var path: String { directory.path + "/cecert.sqlite" }
    let store: ReviewStore

    init(region: String? = "市直", points: [String] = []) throws {
        store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        let batch = try SampleRecords.decode().batch
        try store.addBatch(BatchConfiguration(batch: batch, region: region, acceptancePoints: points))
        var draft = try SampleRecords.decode()
        draft.submittedAt = nil
        draft.reviews = []
        var report = ImportReport()
        try store.importApplications([(1, draft)], into: &report)
        try #require(report.errors.isEmpty, "\(report.errors)")
    }

    deinit { store.close() }

    static func at(_ text: String) -> Date { Timestamp.parse(text)! }

    static let inWindow = at("2020-05-04T09:00:00+08:00")
}

struct WorkflowStoreTests {
    @Test func batchRunsToFinalApproval() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        let id = WorkflowFixture.id
        #expect(try store.submit(applicationID: id, actor: "窗口", at: WorkflowFixture.inWindow) == .submitted)
        #expect(try store.decide(applicationID: id, stage: .pre, decision: .returned, reviewer: "卫健委", comment: "缺少证明",
                                 at: WorkflowFixture.at("2020-05-05T10:00:00+08:00")) == .preReturned)
        let correction = try store.correctCourses(
            applicationID: id,
            courses: [Course(year: 2019, category: .professional, title: "补充", hours: Hours(5), source: .manual, evidence: "e.pdf"),
                      Course(year: 2014, category: .public, title: "旧课", hours: Hours(5), source: .platform)],
            replace: false, actor: "窗口", at: WorkflowFixture.at("2020-05-06T10:00:00+08:00"))
        #expect(correction.keptCourses == 3)
        #expect(correction.ignored.count == 1)
        #expect(try store.submit(applicationID: id, actor: "窗口", at: WorkflowFixture.at("2020-05-06T11:00:00+08:00")) == .submitted)
        #expect(try store.decide(applicationID: id, stage: .pre, decision: .approved, reviewer: "卫健委") == .preApproved)
        #expect(try store.decide(applicationID: id, stage: .final, decision: .approved, reviewer: "职称办") == .finalApproved)

        let application = try #require(try store.application(id: id))
        #expect(application.reviews.map(\.decision) == [.returned, .approved, .approved])
        #expect(application.reviews.first?.comment == "缺少证明")
        #expect(application.courses.count == 3)
        #expect(try store.applicationEvents(applicationID: id).map(\.action) == ["submit", "correct", "submit"])
        #expect(try store.workflowStatus(applicationID: id)?.version == 6)
        #expect(try store.applicationsAwaitingCertificate(batch: nil) == [id])
        #expect(try store.applications(state: .finalApproved).map(\.id) == [id])
        #expect(!store.connection.hasBusyStatement)
    }

    @Test func finalReturnLocksApplication() throws {
        let fixture = try WorkflowFixture()
        let id = WorkflowFixture.id
        try fixture.store.submit(applicationID: id, actor: "窗口", at: WorkflowFixture.inWindow)
        try fixture.store.decide(applicationID: id, stage: .pre, decision: .approved, reviewer: "卫健委")
        try fixture.store.decide(applicationID: id, stage: .final, decision: .returned, reviewer: "职称办", comment: "学时不足")
        #expect {
            try fixture.store.submit(applicationID: id, actor: "窗口", at: WorkflowFixture.inWindow)
        } throws: { error in
            (error as? CecertError)?.code == .workflow && (error as? CecertError)?.message.contains("later batch") == true
        }
        #expect(throws: CecertError(.workflow, "")) {
            try fixture.store.correctCourses(applicationID: id, courses: [], replace: true, actor: "窗口")
        }
        #expect(try fixture.store.workflowStatus(applicationID: id)?.state == .finalReturned)
    }

    @Test(arguments: [
        ("2020-03-26T23:59:59+08:00", false),
        ("2020-03-27T00:00:00+08:00", true),
        ("2020-05-29T23:59:59+08:00", true),
        ("2020-05-30T00:00:00+08:00", false),
    ])
    func submitWindowEdges(_ text: String, _ accepted: Bool) throws {
        let fixture = try WorkflowFixture()
        if accepted {
            #expect(try fixture.store.submit(applicationID: WorkflowFixture.id, actor: "窗口", at: WorkflowFixture.at(text)) == .submitted)
        } else {
            #expect(throws: CecertError(.workflow, "")) {
                try fixture.store.submit(applicationID: WorkflowFixture.id, actor: "窗口", at: WorkflowFixture.at(text))
            }
            #expect(try fixture.store.workflowStatus(applicationID: WorkflowFixture.id)?.state == .draft)
        }
    }

    @Test func unconfiguredPointRejectedAtSubmit() throws {
        let fixture = try WorkflowFixture()
        try fixture.store.setAcceptancePoints(batch: "2020-SZ-CE", region: "市直", points: ["市直—泰州市教育局"])
        #expect {
            try fixture.store.submit(applicationID: WorkflowFixture.id, actor: "窗口", at: WorkflowFixture.inWindow)
        } throws: { error in
            (error as? CecertError)?.message.contains("acceptance point 市直—泰州市卫生健康委员会 is not configured") == true
        }
    }

    @Test func importReportsRegionOutsideBatch() throws {
        let fixture = try WorkflowFixture()
        let other = try SampleRecords.decode(SampleRecords.replacing("SZ2020-000001", with: "SZ2020-000002")
            .replacingOccurrences(of: "\"region\": \"市直\"", with: "\"region\": \"海陵区\""), line: 7)
        var report = ImportReport()
        try fixture.store.importApplications([(7, other)], into: &report)
        let error = try #require(report.errors.first)
        #expect(error.line == 7)
        #expect(error.field == "applicant.region")
        #expect(report.inserted == 0)
    }

    @Test func returnNeedsComment() throws {
        let fixture = try WorkflowFixture()
        try fixture.store.submit(applicationID: WorkflowFixture.id, actor: "窗口", at: WorkflowFixture.inWindow)
        #expect(throws: CecertError(.invalidInput, "")) {
            try fixture.store.decide(applicationID: WorkflowFixture.id, stage: .pre, decision: .returned, reviewer: "卫健委")
        }
    }

    @Test func staleVersionIsConflict() throws {
        let fixture = try WorkflowFixture()
        let seen = try #require(try fixture.store.workflowStatus(applicationID: WorkflowFixture.id)?.version)
        try fixture.store.submit(applicationID: WorkflowFixture.id, actor: "窗口", at: WorkflowFixture.inWindow, expectedVersion: seen)
        #expect(throws: CecertError(.conflict, "")) {
            try fixture.store.decide(applicationID: WorkflowFixture.id, stage: .pre, decision: .approved, reviewer: "卫健委",
                                     expectedVersion: seen)
        }
    }

    /// Two reviewers on two connections in two threads decide the same version at once.
    @Test func concurrentDecisionsOneWins() throws {
        let fixture = try WorkflowFixture()
        try fixture.store.submit(applicationID: WorkflowFixture.id, actor: "窗口", at: WorkflowFixture.inWindow)
        let seen = try #require(try fixture.store.workflowStatus(applicationID: WorkflowFixture.id)?.version)
        let path = fixture.path
        let start = DispatchSemaphore(value: 0)
        let results = ResultBox()
        let group = DispatchGroup()
        for (reviewer, decision) in [("甲", ReviewDecision.approved), ("乙", ReviewDecision.returned)] {
            group.enter()
            Thread {
                defer { group.leave() }
                start.wait()
                do {
                    let store = try ReviewStore(path: path)
                    defer { store.close() }
                    try store.decide(applicationID: WorkflowFixture.id, stage: .pre, decision: decision, reviewer: reviewer,
                                     comment: "并发", expectedVersion: seen)
                    results.append("ok")
                } catch let error as CecertError {
                    results.append(error.code.rawValue)
                } catch {
                    results.append("\(error)")
                }
            }.start()
        }
        start.signal()
        start.signal()
        group.wait()
        #expect(results.values.sorted() == ["conflict", "ok"])
        #expect(try fixture.store.reviews(applicationID: WorkflowFixture.id).count == 1)
        #expect(try fixture.store.workflowStatus(applicationID: WorkflowFixture.id)?.version == seen + 1)
    }

    @Test func normsFollowBatch() throws {
        let fixture = try WorkflowFixture()
        #expect(try fixture.store.norms(batch: "2020-SZ-CE") == .notice2020)
        let national = HourNorms(juniorPerYear: Hours(90), seniorPerYear: Hours(90), juniorToIntermediatePerYear: Hours(90),
                                 intermediateToSeniorPerYear: Hours(90))
        try fixture.store.setNorms(batch: "2020-SZ-CE", norms: national)
        #expect(try fixture.store.norms(batch: "2020-SZ-CE") == national)
        #expect(throws: CecertError(.notFound, "")) { try fixture.store.norms(batch: "2099-XX") }
        #expect(throws: CecertError(.conflict, "")) {
            try fixture.store.addBatch(BatchConfiguration(batch: try SampleRecords.decode().batch))
        }
    }

    @Test func importedBatchUsesDefaultNorms() throws {
        let directory = TemporaryDirectory()
        let store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        defer { store.close() }
        var report = ImportReport()
        try store.importApplications([(1, try SampleRecords.decode())], into: &report)
        #expect(try store.norms(batch: "2020-SZ-CE") == .notice2020)
        #expect(try store.batchConfiguration(code: "2020-SZ-CE")?.region == nil)
    }
}

/// Results collected from several threads.
final class ResultBox: @unchecked Sendable {
    // @unchecked: `storage` is only touched under `lock`.
    private let lock = NSLock()
    private var storage: [String] = []

    func append(_ value: String) {
        lock.lock()
        storage.append(value)
        lock.unlock()
    }

    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
