import Foundation

/// Decodes the platform's spreadsheet export: one CSV row per course, the application's columns
/// repeated on each of its rows, Chinese headers, and Chinese labels or JSON codes as values.
///
/// Rows are grouped by 申请编号 in order of first appearance. A row whose course columns are all empty
/// carries an application without a course. The application columns must agree on every row of an
/// application. Reviews are the last pre-review decision (预审结果, 预审人, 预审时间, optional 预审意见)
/// and the last final-review decision (终审结果, 终审人, 终审时间, optional 终审意见), replayed pre first.
/// The export keeps no earlier decisions, so an earlier pre-review return is not in the history.
/// An optional 提交时间 column sets the submission time.
///
/// Validation runs through `ApplicationDecoder`, so a CSV file reports the same errors as JSON Lines,
/// with the row number and the Chinese column name.
public struct CSVApplicationDecoder: Sendable {
    public var decoder: ApplicationDecoder

    public init(limits: ValidationLimits = ValidationLimits()) {
        decoder = ApplicationDecoder(limits: limits)
    }

    /// Headers every export has.
    public static let requiredHeaders = [
        "申请编号", "批次", "身份证号", "姓名", "手机", "邮箱", "所在地", "工作单位", "受理点", "现职称级别", "现职称名称",
        "取得时间", "申报类型", "资历年限", "年度", "科目类别", "课程名称", "学时", "来源", "证明材料", "预审结果", "预审人",
        "预审时间", "终审结果", "终审人", "终审时间",
    ]
    static let optionalHeaders = ["提交时间", "预审意见", "终审意见"]
    static let applicationHeaders = [
        "批次", "身份证号", "姓名", "手机", "邮箱", "所在地", "工作单位", "受理点", "现职称级别", "现职称名称", "取得时间",
        "申报类型", "资历年限", "预审结果", "预审人", "预审时间", "终审结果", "终审人", "终审时间", "提交时间", "预审意见",
        "终审意见",
    ]
    static let courseHeaders = ["年度", "科目类别", "课程名称", "学时", "来源", "证明材料"]

    /// The outcome of decoding a file: applications with the row they start on, and the rows in error.
    public struct Result: Sendable {
        public var records: [(line: Int, application: Application)] = []
        public var errors: [RecordError] = []
    }

    /// Decodes every application in `text`.
    /// - Parameter batch: looks up a batch configured in the store by its code, returning nil for an unknown code.
    /// - Throws: `CecertError(.invalidInput)` when the file is not CSV or lacks a required header.
    public func decode(_ text: String, batch: (String) -> Batch?) throws -> Result {
        let records = try CSVReader.records(text)
        guard let header = records.first else { throw CecertError(.invalidInput, "the CSV file is empty") }
        var columns: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            columns[name.trimmingCharacters(in: .whitespaces)] = index
        }
        let missing = Self.requiredHeaders.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw CecertError(.invalidInput, "the CSV header lacks \(missing.joined(separator: ", ")); export the applications with every column")
        }

        var result = Result()
        var groups: [(id: String, rows: [CSVRow])] = []
        var groupIndex: [String: Int] = [:]
        for record in records.dropFirst() {
            let row = CSVRow(record: record, columns: columns)
            let id = row["申请编号"]
            guard !id.isEmpty else {
                result.errors.append(RecordError(line: record.row, applicationID: nil, field: "申请编号", message: "is empty"))
                continue
            }
            if let index = groupIndex[id] {
                groups[index].rows.append(row)
            } else {
                groupIndex[id] = groups.count
                groups.append((id, [row]))
            }
        }
        for group in groups {
            do {
                result.records.append((group.rows[0].record.row, try application(group.id, rows: group.rows, batch: batch)))
            } catch {
                result.errors.append(error)
            }
        }
        return result
    }

    func application(_ id: String, rows: [CSVRow], batch lookup: (String) -> Batch?) throws(RecordError) -> Application {
        let first = rows[0]
        for row in rows.dropFirst() {
            for name in Self.applicationHeaders where row[name] != first[name] {
                throw RecordError(line: row.record.row, applicationID: id, field: name,
                                  message: "is \"\(row[name])\" here but \"\(first[name])\" on row \(first.record.row); every row of an application must agree")
            }
        }
        let code = first["批次"]
        guard let batch = lookup(code) else {
            throw RecordError(line: first.record.row, applicationID: id, field: "批次",
                              message: "batch \(code) is not configured; add it with `cecert batches add \(code) ...` first")
        }
        var courseRows: [CSVRow] = []
        for row in rows where !Self.courseHeaders.allSatisfy({ row[$0].isEmpty }) {
            courseRows.append(row)
        }
        let object = jsonObject(id, first: first, courseRows: courseRows, batch: batch)
        do {
            return try decoder.decode(object)
        } catch let error as ApplicationDecoder.FieldError {
            let (line, column) = locate(error.field, first: first, courseRows: courseRows)
            throw RecordError(line: line, applicationID: id, field: column, message: error.message)
        } catch {
            throw RecordError(line: first.record.row, applicationID: id, field: "(record)", message: "\(error)")
        }
    }
}

// MARK: - Building the JSON form

extension CSVApplicationDecoder {
    static let titleLevels = ["初级": "junior", "中级": "intermediate", "高级": "senior"]
    static let declarations = ["初级申报中级": "junior_to_intermediate", "中级申报高级": "intermediate_to_senior",
                               "初定": "initial_appointment", "其他": "other"]
    static let categories = ["公需科目": "public", "专业科目": "professional", "公需": "public", "专业": "professional"]
    static let sources = ["平台": "platform", "手工": "manual"]
    static let decisions = ["通过": "approved", "退回": "returned"]

    func jsonObject(_ id: String, first: CSVRow, courseRows: [CSVRow], batch: Batch) -> [String: Any] {
        var object: [String: Any] = [
            "application_id": id,
            "batch": ["code": batch.code, "name": batch.name, "opens_on": batch.opensOn.description,
                      "closes_on": batch.closesOn.description],
            "applicant": ["id_number": first["身份证号"], "name": first["姓名"], "phone": first["手机"],
                          "email": first["邮箱"], "region": first["所在地"], "work_unit": first["工作单位"]],
            "acceptance_point": first["受理点"],
            "declaration": Self.code(first["申报类型"], Self.declarations),
            "qualification_years": Self.number(first["资历年限"]),
        ]
        let level = first["现职称级别"]
        if level.isEmpty || level == "无" {
            object["current_title"] = NSNull()
        } else {
            var title: [String: Any] = ["level": Self.code(level, Self.titleLevels), "name": first["现职称名称"]]
            if !first["取得时间"].isEmpty { title["obtained_on"] = Self.date(first["取得时间"]) }
            object["current_title"] = title
        }
        if !first["提交时间"].isEmpty { object["submitted_at"] = Self.timestamp(first["提交时间"]) }

        object["courses"] = courseRows.map { row -> [String: Any] in
            var course: [String: Any] = ["year": Self.number(row["年度"]), "category": Self.code(row["科目类别"], Self.categories),
                                         "title": row["课程名称"], "hours": Self.number(row["学时"]),
                                         "source": Self.code(row["来源"], Self.sources)]
            if !row["证明材料"].isEmpty { course["evidence"] = row["证明材料"] }
            return course
        }
        var reviews: [[String: Any]] = []
        for (stage, prefix) in [("pre", "预审"), ("final", "终审")] {
            let decision = first["\(prefix)结果"]
            guard !decision.isEmpty else { continue }
            reviews.append(["stage": stage, "decision": Self.code(decision, Self.decisions), "reviewer": first["\(prefix)人"],
                            "at": Self.timestamp(first["\(prefix)时间"]), "comment": first["\(prefix)意见"]])
        }
        object["reviews"] = reviews
        return object
    }

    /// Maps a Chinese label to its JSON code. A code or an unknown value passes through for the decoder to check.
    static func code(_ text: String, _ labels: [String: String]) -> String { labels[text] ?? text }

    /// Converts text to a number as JSON would carry it, or keeps the text so the decoder reports it as not a number.
    static func number(_ text: String) -> Any {
        guard let value = Double(text), value.isFinite else { return text }
        return NSNumber(value: value)
    }

    /// Rewrites the date forms Excel writes, such as 2015/7/1, as `YYYY-MM-DD`.
    static func date(_ text: String) -> String {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            return text
        }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// Rewrites a timestamp as ISO 8601 with an offset. A time without an offset, as Excel writes it (2020/5/5 12:46), is China time.
    static func timestamp(_ text: String) -> String {
        if Timestamp.parse(text) != nil { return text }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return text }
        let time = parts[1].split(separator: ":")
        guard (2...3).contains(time.count), let hour = Int(time[0]), let minute = Int(time[1]) else { return text }
        let second = time.count == 3 ? Int(time[2]) ?? -1 : 0
        return date(String(parts[0])) + String(format: "T%02d:%02d:%02d+08:00", hour, minute, second)
    }
}

// MARK: - Locating errors

extension CSVApplicationDecoder {
    static let columnsByField: [String: String] = [
        "application_id": "申请编号", "applicant.id_number": "身份证号", "applicant.name": "姓名", "applicant.phone": "手机",
        "applicant.email": "邮箱", "applicant.region": "所在地", "applicant.work_unit": "工作单位", "acceptance_point": "受理点",
        "current_title.level": "现职称级别", "current_title.name": "现职称名称", "current_title.obtained_on": "取得时间",
        "declaration": "申报类型", "qualification_years": "资历年限", "submitted_at": "提交时间",
    ]
    static let courseColumns = ["year": "年度", "category": "科目类别", "title": "课程名称", "hours": "学时", "source": "来源",
                                "evidence": "证明材料"]
    static let reviewColumns = ["stage": "结果", "decision": "结果", "reviewer": "人", "at": "时间", "comment": "意见"]

    /// Finds the row and column of a decoder field path such as `courses[2].hours` or `reviews[1].at`.
    func locate(_ field: String, first: CSVRow, courseRows: [CSVRow]) -> (Int, String) {
        if let column = Self.columnsByField[field] { return (first.record.row, column) }
        if let (index, key) = Self.indexed(field, prefix: "courses"), index < courseRows.count {
            return (courseRows[index].record.row, key.flatMap { Self.courseColumns[$0] } ?? "课程名称")
        }
        if let (index, key) = Self.indexed(field, prefix: "reviews") {
            let hasPre = !first["预审结果"].isEmpty
            let prefix = index == 0 && hasPre ? "预审" : "终审"
            return (first.record.row, prefix + (key.flatMap { Self.reviewColumns[$0] } ?? "结果"))
        }
        if field == "reviews" { return (first.record.row, "预审结果/终审结果") }
        return (first.record.row, field)
    }

    static func indexed(_ field: String, prefix: String) -> (Int, String?)? {
        guard field.hasPrefix(prefix + "["), let close = field.firstIndex(of: "]") else { return nil }
        guard let index = Int(field[field.index(field.startIndex, offsetBy: prefix.count + 1)..<close]) else { return nil }
        let rest = field[field.index(after: close)...]
        return (index, rest.hasPrefix(".") ? String(rest.dropFirst()) : nil)
    }
}

/// One data row with access by header name. A missing optional column reads as empty.
struct CSVRow {
    let record: CSVRecord
    let columns: [String: Int]

    subscript(_ name: String) -> String {
        guard let index = columns[name], index < record.fields.count else { return "" }
        return record.fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
