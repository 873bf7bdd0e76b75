import CecertCore
import CecertStore
import Foundation
import Testing

/// A temporary folder for one test, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "cecert-store-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum SampleRecords {
    static let line = #"{"application_id": "SZ2020-000001", "batch": {"code": "2020-SZ-CE", "name": "2020年市直批次", "opens_on": "2020-03-27", "closes_on": "2020-05-29"}, "applicant": {"id_number": "321204197101110326", "name": "巴特尔・其木格", "phone": "18009883727", "email": "user00001@example.cn", "region": "市直", "work_unit": "泰州市人民医院"}, "acceptance_point": "市直—泰州市卫生健康委员会", "current_title": {"level": "junior", "name": "二级教师", "obtained_on": "2018-07-01"}, "declaration": "other", "qualification_years": 1, "submitted_at": "2020-05-04T09:00:00+08:00", "courses": [{"year": 2019, "category": "public", "title": "科学素养", "hours": 25, "source": "platform"}, {"year": 2019, "category": "professional", "title": "论文", "hours": 15, "source": "manual", "evidence": "evidence/2019-3439.pdf"}, {"year": 2013, "category": "public", "title": "旧课", "hours": 5, "source": "platform"}], "reviews": [{"stage": "pre", "decision": "approved", "reviewer": "市直—泰州市卫生健康委员会", "at": "2020-05-05T12:46:00+08:00", "comment": ""}, {"stage": "final", "decision": "approved", "reviewer": "泰州市职称办", "at": "2020-05-09T17:06:00+08:00", "comment": ""}]}"#

    static func decode(_ text: String = line, line number: Int = 1) throws(RecordError) -> Application {
        try ApplicationDecoder().decode(line: number, text: Substring(text))
    }

    static func replacing(_ old: String, with new: String) -> String {
        line.replacingOccurrences(of: old, with: new)
    }
}

struct ReviewStoreTests {
    @Test func migrationsCreateWALStore() throws {
        let directory = TemporaryDirectory()
        let store = try ReviewStore(path: directory.path + "/nested/cecert.sqlite")
        defer { store.close() }
        #expect(store.schemaVersion == 4)
        let mode = try store.connection.queryRow("PRAGMA journal_mode")?.text("journal_mode")
        #expect(mode == "wal")
        #expect(!store.connection.hasBusyStatement)
    }

    @Test func closeTwiceIsHarmless() throws {
        let directory = TemporaryDirectory()
        let store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        store.close()
        store.close()
        #expect(!store.connection.isOpen)
        #expect(throws: CecertError(.storage, "")) { try store.connection.execute("SELECT 1") }
    }

    @Test func importIsIdempotent() throws {
        let directory = TemporaryDirectory()
        let store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        defer { store.close() }
        let application = try SampleRecords.decode()
        var first = ImportReport()
        try store.importApplications([(1, application)], into: &first)
        #expect(first.inserted == 1)
        #expect(first.ignoredCourses.count == 1)
        #expect(first.ignoredCourses.first?.field == "courses[2].year")
        var second = ImportReport()
        try store.importApplications([(1, application)], into: &second)
        #expect(second.inserted == 0)
        #expect(second.unchanged == 1)
        let loaded = try #require(try store.application(id: "SZ2020-000001"))
        #expect(loaded.applicant.name == "巴特尔·其木格")
        #expect(loaded.courses.count == 2)
        #expect(loaded.reviews.count == 2)
        #expect(loaded.isFinalApproved)
        #expect(try store.applicationsAwaitingCertificate(batch: nil) == ["SZ2020-000001"])
        #expect(!store.connection.hasBusyStatement)
    }

    @Test func sameIDWithAnotherNameIsReported() throws {
        let directory = TemporaryDirectory()
        let store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        defer { store.close() }
        let other = try SampleRecords.decode(SampleRecords.replacing("SZ2020-000001", with: "SZ2020-000002")
            .replacingOccurrences(of: "巴特尔・其木格", with: "李四"), line: 2)
        var report = ImportReport()
        try store.importApplications([(1, try SampleRecords.decode()), (2, other)], into: &report)
        #expect(report.inserted == 1)
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.line == 2)
        #expect(report.errors.first?.applicationID == "SZ2020-000002")
        #expect(report.errors.first?.field == "applicant.name")
        #expect(report.errors.first?.message.contains("321204********0326") == true)
    }

    @Test func forbiddenHistoryIsReported() throws {
        let directory = TemporaryDirectory()
        let store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        defer { store.close() }
        let finalFirst = SampleRecords.replacing(#"{"stage": "pre", "decision": "approved", "reviewer": "市直—泰州市卫生健康委员会", "at": "2020-05-05T12:46:00+08:00", "comment": ""}, "#, with: "")
        var report = ImportReport()
        try store.importApplications([(7, try SampleRecords.decode(finalFirst, line: 7))], into: &report)
        #expect(report.inserted == 0)
        #expect(report.errors.first?.field == "reviews")
        #expect(report.errors.first?.message.contains("only after pre-review approval") == true)
    }

    @Test func reviewsAreAppendOnly() throws {
        let directory = TemporaryDirectory()
        let store = try ReviewStore(path: directory.path + "/cecert.sqlite")
        defer { store.close() }
        var report = ImportReport()
        try store.importApplications([(1, try SampleRecords.decode())], into: &report)
        #expect(throws: CecertError(.conflict, "")) {
            try store.connection.run("UPDATE reviews SET decision = 'returned'")
        }
        #expect(throws: CecertError(.conflict, "")) { try store.connection.run("DELETE FROM reviews") }
        #expect(try store.reviews(applicationID: "SZ2020-000001").map(\.decision) == [.approved, .approved])
    }
}

struct DecoderTests {
    @Test(arguments: [
        (#""id_number": "321204197101110326""#, #""id_number": "321204197101110327""#, "applicant.id_number"),
        (#""hours": 25"#, #""hours": -1"#, "courses[0].hours"),
        (#""hours": 25"#, #""hours": 250"#, "courses[0].hours"),
        (#""hours": 25"#, #""hours": "x""#, "courses[0].hours"),
        (#""declaration": "other""#, #""declaration": "promotion""#, "declaration"),
        (#""qualification_years": 1"#, #""qualification_years": 0"#, "qualification_years"),
        (#""qualification_years": 1"#, #""qualification_years": true"#, "qualification_years"),
        (#", "evidence": "evidence/2019-3439.pdf""#, "", "courses[1].evidence"),
        (#""opens_on": "2020-03-27""#, #""opens_on": "2020-02-30""#, "batch.opens_on"),
        (#""email": "user00001@example.cn""#, #""email": "not-an-email""#, "applicant.email"),
        (#""phone": "18009883727""#, #""phone": "12345""#, "applicant.phone"),
        (#""at": "2020-05-05T12:46:00+08:00""#, #""at": "yesterday""#, "reviews[0].at"),
    ])
    func malformedFieldNamed(_ old: String, _ new: String, _ field: String) {
        let text = SampleRecords.replacing(old, with: new)
        #expect(text != SampleRecords.line)
        do {
            _ = try SampleRecords.decode(text, line: 42)
            Issue.record("expected \(field) to be rejected")
        } catch {
            #expect(error.line == 42)
            #expect(error.applicationID == "SZ2020-000001")
            #expect(error.field == field)
        }
    }

    @Test func notJSONNamesTheLine() {
        do {
            _ = try SampleRecords.decode("{not json", line: 3)
            Issue.record("expected a JSON error")
        } catch {
            #expect(error.line == 3)
            #expect(error.applicationID == nil)
            #expect(error.description == "line 3, application (unknown), field (line): invalid JSON")
        }
    }

    @Test func fractionalHoursAccepted() throws {
        let application = try SampleRecords.decode(SampleRecords.replacing(#""hours": 25"#, with: #""hours": 24.5"#))
        #expect(application.courses[0].hours == Hours(hundredths: 2450))
    }
}

struct StoreFileTests {
    @Test func newStoreIsPrivateToItsOwner() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/cecert.sqlite"
        let store = try ReviewStore(path: path)
        defer { store.close() }
        try store.connection.execute("CREATE TABLE probe (x)")
        for file in [path, path + "-wal"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(file)")
        }
    }

    @Test func missingStoreNotCreatedWhenItMustExist() {
        let directory = TemporaryDirectory()
        let path = directory.path + "/typo.sqlite"
        #expect(throws: CecertError(.notFound, "")) { try ReviewStore(path: path, mustExist: true) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
