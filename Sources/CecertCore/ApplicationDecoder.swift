import Foundation

/// A validation failure of one record in an import, naming the record and the field.
public struct RecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line (JSON Lines) or row (CSV) number.
    public var line: Int
    /// The record's `application_id`, when it could be read.
    public var applicationID: String?
    /// A dotted field path such as `applicant.id_number` or `courses[2].hours`.
    public var field: String
    public var message: String

    public init(line: Int, applicationID: String?, field: String, message: String) {
        self.line = line
        self.applicationID = applicationID
        self.field = field
        self.message = message
    }

    public var description: String {
        "line \(line), application \(applicationID ?? "(unknown)"), field \(field): \(message)"
    }
}

/// Limits that validation applies to every record.
public struct ValidationLimits: Sendable, Hashable {
    /// The largest number of hours a single course entry may claim.
    public var maximumCourseHours: Hours

    public init(maximumCourseHours: Hours = Hours(200)) {
        self.maximumCourseHours = maximumCourseHours
    }
}

/// Decodes and validates one application of the platform's JSON Lines export.
///
/// Field errors carry the dotted path of the field, so an operator can find the value to fix.
public struct ApplicationDecoder: Sendable {
    public var limits: ValidationLimits

    public init(limits: ValidationLimits = ValidationLimits()) {
        self.limits = limits
    }

    struct FieldError: Error {
        var field: String
        var message: String
    }

    /// Decodes one line.
    /// - Throws: `RecordError` naming the line, the application id when known, and the field.
    public func decode(line: Int, text: Substring) throws(RecordError) -> Application {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw RecordError(line: line, applicationID: nil, field: "(line)", message: "a line must be a JSON object")
            }
            object = parsed
        } catch let error as RecordError {
            throw error
        } catch {
            throw RecordError(line: line, applicationID: nil, field: "(line)", message: "invalid JSON")
        }
        let id = object["application_id"] as? String
        do {
            return try decode(object)
        } catch let error as FieldError {
            throw RecordError(line: line, applicationID: id, field: error.field, message: error.message)
        } catch {
            throw RecordError(line: line, applicationID: id, field: "(record)", message: "\(error)")
        }
    }

    /// Decodes one course object of a correction file, with the same checks as a course in an application.
    /// - Throws: `RecordError` naming the line and the course field.
    public func decodeCourse(line: Int, applicationID: String, text: Substring) throws(RecordError) -> Course {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
            throw RecordError(line: line, applicationID: applicationID, field: "(line)", message: "invalid JSON")
        }
        do {
            return try course(object, path: "course")
        } catch let error as FieldError {
            throw RecordError(line: line, applicationID: applicationID, field: error.field, message: error.message)
        } catch {
            throw RecordError(line: line, applicationID: applicationID, field: "(line)", message: "\(error)")
        }
    }

    func decode(_ object: [String: Any]) throws -> Application {
        let id = try string(object, "application_id")
        guard !id.isEmpty, id.count <= 64 else { throw FieldError(field: "application_id", message: "must be 1 to 64 characters") }

        let batchObject = try dictionary(object, "batch")
        let batch = Batch(code: try string(batchObject, "code", path: "batch.code"),
                          name: try string(batchObject, "name", path: "batch.name"),
                          opensOn: try date(batchObject, "opens_on", path: "batch.opens_on"),
                          closesOn: try date(batchObject, "closes_on", path: "batch.closes_on"))
        guard batch.opensOn <= batch.closesOn else {
            throw FieldError(field: "batch.closes_on", message: "is before batch.opens_on")
        }

        let applicantObject = try dictionary(object, "applicant")
        let idNumber: String
        do {
            idNumber = try IDNumber.normalize(try string(applicantObject, "id_number", path: "applicant.id_number"))
        } catch let error as CecertError {
            throw FieldError(field: "applicant.id_number", message: error.message)
        }
        let name: String
        do {
            name = try PersonName.normalize(try string(applicantObject, "name", path: "applicant.name"))
        } catch let error as CecertError {
            throw FieldError(field: "applicant.name", message: error.message)
        }
        let applicant = Applicant(
            idNumber: idNumber, name: name,
            phone: try optionalString(applicantObject, "phone", path: "applicant.phone") ?? "",
            email: try optionalString(applicantObject, "email", path: "applicant.email") ?? "",
            region: try string(applicantObject, "region", path: "applicant.region"),
            workUnit: try singleLine(try nonEmpty(try string(applicantObject, "work_unit", path: "applicant.work_unit"),
                                                 "applicant.work_unit"), "applicant.work_unit"))
        try ContactShape.check(phone: applicant.phone, email: applicant.email)

        let acceptancePoint = try singleLine(try nonEmpty(try string(object, "acceptance_point"), "acceptance_point"),
                                             "acceptance_point")
        let title = try currentTitle(object["current_title"])
        let declaration = try enumValue(Declaration.self, object, "declaration")

        guard let years = jsonNumber(object["qualification_years"]), years.doubleValue > 0,
              years.doubleValue.isFinite else {
            throw FieldError(field: "qualification_years", message: "must be a number greater than 0")
        }
        // The platform sends five years of public courses and the store keeps no older ones, so a longer
        // period could never be met.
        guard years.doubleValue <= 5 else {
            throw FieldError(field: "qualification_years", message: "\(years) is more than 5; the hours of at most the five years before the batch year are counted")
        }

        var submittedAt: Date?
        if let text = try optionalString(object, "submitted_at") {
            guard let date = Timestamp.parse(text) else {
                throw FieldError(field: "submitted_at", message: "must be ISO 8601 with an offset, for example 2020-05-04T09:00:00+08:00")
            }
            guard date <= Date().addingTimeInterval(600) else {
                throw FieldError(field: "submitted_at", message: "\(text) is in the future")
            }
            submittedAt = date
        }

        guard let courseList = object["courses"] as? [Any] else { throw FieldError(field: "courses", message: "must be an array") }
        let courses = try courseList.enumerated().map { try course($0.element, path: "courses[\($0.offset)]") }
        guard let reviewList = (object["reviews"] ?? [Any]()) as? [Any] else {
            throw FieldError(field: "reviews", message: "must be an array")
        }
        let reviews = try reviewList.enumerated().map { try review($0.element, path: "reviews[\($0.offset)]") }

        return Application(id: id, batch: batch, applicant: applicant, acceptancePoint: acceptancePoint,
                           currentTitle: title, declaration: declaration, qualificationYears: years.doubleValue,
                           submittedAt: submittedAt, courses: courses, reviews: reviews)
    }

    func currentTitle(_ value: Any?) throws -> CurrentTitle? {
        guard let value, !(value is NSNull) else { return nil }
        guard let object = value as? [String: Any] else {
            throw FieldError(field: "current_title", message: "must be null or an object")
        }
        let level = try enumValue(TitleLevel.self, object, "level", path: "current_title.level")
        let name = try optionalString(object, "name", path: "current_title.name") ?? ""
        var obtained: CivilDate?
        if let text = try optionalString(object, "obtained_on", path: "current_title.obtained_on") {
            guard let date = CivilDate(text) else {
                throw FieldError(field: "current_title.obtained_on", message: "must be a date YYYY-MM-DD")
            }
            obtained = date
        }
        return CurrentTitle(level: level, name: name, obtainedOn: obtained)
    }

    func course(_ value: Any, path: String) throws -> Course {
        guard let object = value as? [String: Any] else { throw FieldError(field: path, message: "must be an object") }
        guard let yearNumber = jsonNumber(object["year"]), let year = Int(exactly: yearNumber.doubleValue),
              (1990...2100).contains(year) else {
            throw FieldError(field: "\(path).year", message: "must be a year between 1990 and 2100")
        }
        let category = try enumValue(CourseCategory.self, object, "category", path: "\(path).category")
        let title = try nonEmpty(try string(object, "title", path: "\(path).title"), "\(path).title")
        guard let number = jsonNumber(object["hours"]), let hours = Hours(exactly: number.doubleValue) else {
            throw FieldError(field: "\(path).hours", message: "must be a number with at most two decimals")
        }
        guard hours > .zero else { throw FieldError(field: "\(path).hours", message: "must be greater than 0") }
        guard hours <= limits.maximumCourseHours else {
            throw FieldError(field: "\(path).hours", message: "\(hours) exceeds the maximum of \(limits.maximumCourseHours) for one entry")
        }
        let source = try enumValue(CourseSource.self, object, "source", path: "\(path).source")
        let evidence = try optionalString(object, "evidence", path: "\(path).evidence")
        if category == .professional, source == .manual, (evidence ?? "").isEmpty {
            throw FieldError(field: "\(path).evidence", message: "a manual professional course needs an evidence reference")
        }
        return Course(year: year, category: category, title: title, hours: hours, source: source, evidence: evidence)
    }

    func review(_ value: Any, path: String) throws -> Review {
        guard let object = value as? [String: Any] else { throw FieldError(field: path, message: "must be an object") }
        let stage = try enumValue(ReviewStage.self, object, "stage", path: "\(path).stage")
        let decision = try enumValue(ReviewDecision.self, object, "decision", path: "\(path).decision")
        let reviewer = try nonEmpty(try string(object, "reviewer", path: "\(path).reviewer"), "\(path).reviewer")
        let atText = try string(object, "at", path: "\(path).at")
        guard let at = Timestamp.parse(atText) else {
            throw FieldError(field: "\(path).at", message: "must be ISO 8601 with an offset")
        }
        guard at <= Date().addingTimeInterval(600) else {
            throw FieldError(field: "\(path).at", message: "\(atText) is in the future")
        }
        let comment = try optionalString(object, "comment", path: "\(path).comment") ?? ""
        return Review(stage: stage, decision: decision, reviewer: reviewer, at: at, comment: comment)
    }
}

// MARK: - Field access

extension ApplicationDecoder {
    /// A JSON number, or nil for anything else. Foundation on Linux bridges `true` to an NSNumber that
    /// also casts to Int and `is Bool` holds for plain numbers, so the exact class distinguishes them.
    func jsonNumber(_ value: Any?) -> NSNumber? {
        guard let value, let number = value as? NSNumber,
              ObjectIdentifier(type(of: value)) == ObjectIdentifier(NSNumber.self) else { return nil }
        return number
    }

    func string(_ object: [String: Any], _ key: String, path: String? = nil) throws -> String {
        guard let value = object[key] else { throw FieldError(field: path ?? key, message: "is missing") }
        guard let text = value as? String else { throw FieldError(field: path ?? key, message: "must be a string") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        // Line breaks and tabs may sit inside a quoted CSV field such as a course title; the printed
        // single-line fields reject them separately.
        let allowed: Set<Unicode.Scalar> = ["\n", "\r", "\t"]
        if let control = trimmed.unicodeScalars.first(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            throw FieldError(field: path ?? key, message: "contains the control character \(String(format: "U+%04X", control.value))")
        }
        return trimmed
    }

    func optionalString(_ object: [String: Any], _ key: String, path: String? = nil) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        return try string(object, key, path: path)
    }

    func dictionary(_ object: [String: Any], _ key: String) throws -> [String: Any] {
        guard let value = object[key] else { throw FieldError(field: key, message: "is missing") }
        guard let dictionary = value as? [String: Any] else { throw FieldError(field: key, message: "must be an object") }
        return dictionary
    }

    func date(_ object: [String: Any], _ key: String, path: String) throws -> CivilDate {
        guard let date = CivilDate(try string(object, key, path: path)) else {
            throw FieldError(field: path, message: "must be a date YYYY-MM-DD")
        }
        return date
    }

    func nonEmpty(_ text: String, _ path: String) throws -> String {
        guard !text.isEmpty else { throw FieldError(field: path, message: "is empty") }
        return text
    }

    /// Rejects a line break or tab in a field printed on one line of the certificate.
    func singleLine(_ text: String, _ path: String) throws -> String {
        guard !text.contains(where: { $0.isNewline || $0 == "\t" }) else {
            throw FieldError(field: path, message: "contains a line break or tab")
        }
        return text
    }

    func enumValue<Value: RawRepresentable & CaseIterable>(_ type: Value.Type, _ object: [String: Any], _ key: String,
                                                           path: String? = nil) throws -> Value where Value.RawValue == String {
        let text = try string(object, key, path: path)
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw FieldError(field: path ?? key, message: "\"\(text)\" is not one of \(allowed)")
        }
        return value
    }
}

/// Shape checks for contact details: a mainland mobile or landline number, and an address with one `@`.
public enum ContactShape {
    static func check(phone: String, email: String) throws {
        if !phone.isEmpty, !isPhone(phone) {
            throw ApplicationDecoder.FieldError(field: "applicant.phone", message: "must be an 11-digit mobile number starting with 1, or a landline such as 0523-86839000")
        }
        if !email.isEmpty, !isEmail(email) {
            throw ApplicationDecoder.FieldError(field: "applicant.email", message: "must look like name@example.cn")
        }
    }

    public static func isPhone(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber)
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else { return false }
        if digits.count == 11, digits.first == "1", !text.contains("-") { return true }
        return text.first == "0" && (10...12).contains(digits.count)
    }

    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), !text.contains(where: { $0.isWhitespace }) else { return false }
        return true
    }
}
