import CecertCore
import CecertStore
import Foundation

/// `cecert applications list|show|submit|approve|return|correct`: the review workflow for office staff.
enum ApplicationsCommand: Subcommand {
    static let name = "applications"
    static let summary = "List, show, submit, review and correct applications"
    static let usage = """
        list [--batch CODE] [--stage STATE] [--point 受理点]
               cecert applications show ID
               cecert applications submit ID [--actor NAME] [--at TIME] [--expect-version N]
               cecert applications approve ID --stage pre|final --reviewer NAME [--comment TEXT] [--at TIME] [--expect-version N]
               cecert applications return ID --stage pre|final --reviewer NAME --comment TEXT [--at TIME] [--expect-version N]
               cecert applications correct ID --courses FILE.jsonl [--replace] [--actor NAME] [--expect-version N]

        STATE is draft, submitted, pre_approved, pre_returned, final_approved or final_returned.
        TIME is ISO 8601 with an offset, such as 2020-05-04T09:00:00+08:00 (default now).
        --expect-version N rejects the action with a conflict unless the application is still at
        version N, as `show` printed it. FILE.jsonl holds one course object per line, such as
        {"year": 2019, "category": "professional", "title": "论文", "hours": 15, "source": "manual", "evidence": "e.pdf"};
        --replace replaces every course, otherwise the courses are added. Then submit the application again.
        """
    static let options: Set<String> = ["batch", "stage", "point", "reviewer", "comment", "at", "expect-version", "courses", "actor"]
    static let flags: Set<String> = ["replace"]

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard let action = arguments.positionals.first else {
            throw UsageError("give an action: list, show, submit, approve, return or correct")
        }
        let store = try ReviewStore(path: context.configuration.store, mustExist: true)
        defer { store.close() }
        if action == "list" {
            guard arguments.positionals.count == 1 else { throw UsageError("list takes no application id") }
            return try list(arguments, store: store, context: context)
        }
        guard arguments.positionals.count == 2 else { throw UsageError("\(action) needs exactly one application id") }
        let id = arguments.positionals[1]
        switch action {
        case "show":
            return try show(id, store: store, context: context)
        case "submit":
            let state = try store.submit(applicationID: id, actor: arguments.option("actor") ?? "cli", at: try instant(arguments),
                                         expectedVersion: try arguments.integer("expect-version"))
            try report("submitted \(id)", id: id, state: state, store: store, context: context)
        case "approve", "return":
            let decision: ReviewDecision = action == "approve" ? .approved : .returned
            let stage = try reviewStage(arguments)
            guard let reviewer = arguments.option("reviewer") else { throw UsageError("\(action) needs --reviewer NAME") }
            if decision == .returned, arguments.option("comment") == nil {
                throw UsageError("return needs --comment TEXT saying what to correct")
            }
            let state = try store.decide(applicationID: id, stage: stage, decision: decision, reviewer: reviewer,
                                         comment: arguments.option("comment") ?? "", at: try instant(arguments),
                                         expectedVersion: try arguments.integer("expect-version"))
            try report("\(stage.rawValue)-review \(decision.rawValue) \(id)", id: id, state: state, store: store, context: context)
        case "correct":
            return try correct(id, arguments, store: store, context: context)
        default:
            throw UsageError("unknown action \(action); use list, show, submit, approve, return or correct")
        }
        return CecertCommand.ExitStatus.success
    }

    static func list(_ arguments: ParsedArguments, store: ReviewStore, context: CommandContext) throws -> Int32 {
        var state: WorkflowState?
        if let text = arguments.option("stage") {
            guard let parsed = WorkflowState(rawValue: text) else {
                throw UsageError("--stage \(text) is not a state; use \(WorkflowState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        let rows = try store.applications(batch: arguments.option("batch"), state: state, acceptancePoint: arguments.option("point"))
        for row in rows {
            context.output([row.id, row.batchCode, row.state.rawValue, "v\(row.version)", row.acceptancePoint, row.applicantName,
                            IDNumber.mask(row.idNumber)].joined(separator: "  "))
        }
        context.output("\(rows.count) application\(rows.count == 1 ? "" : "s")")
        return CecertCommand.ExitStatus.success
    }

    static func correct(_ id: String, _ arguments: ParsedArguments, store: ReviewStore, context: CommandContext) throws -> Int32 {
        guard let path = arguments.option("courses") else { throw UsageError("correct needs --courses FILE.jsonl") }
        guard let data = FileManager.default.contents(atPath: path) else { throw CecertError(.io, "cannot read \(path)") }
        let decoder = ApplicationDecoder(limits: ValidationLimits(maximumCourseHours: Hours(context.configuration.maximumCourseHours)))
        var courses: [Course] = []
        var errors: [RecordError] = []
        let text = try TextEncoding.decode(Array(data)).text
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            do {
                courses.append(try decoder.decodeCourse(line: index + 1, applicationID: id, text: Substring(trimmed)))
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else {
            for error in errors { context.errorOutput("invalid: \(error)") }
            context.errorOutput("error: \(path) has \(errors.count) invalid course(s); nothing was changed")
            return CecertCommand.ExitStatus.failure
        }
        let result = try store.correctCourses(applicationID: id, courses: courses, replace: arguments.flag("replace"),
                                              actor: arguments.option("actor") ?? "cli",
                                              expectedVersion: try arguments.integer("expect-version"))
        for notice in result.ignored { context.errorOutput("ignored: \(notice)") }
        context.output("corrected \(id): \(result.keptCourses) course(s), state \(result.state.rawValue), version \(result.version); submit it again with `cecert applications submit \(id)`")
        return CecertCommand.ExitStatus.success
    }

    static func report(_ what: String, id: String, state: WorkflowState, store: ReviewStore, context: CommandContext) throws {
        let version = try store.workflowStatus(applicationID: id)?.version ?? 0
        context.output("\(what): state \(state.rawValue), version \(version)")
    }

    static func reviewStage(_ arguments: ParsedArguments) throws -> ReviewStage {
        guard let text = arguments.option("stage") else { throw UsageError("a decision needs --stage pre or --stage final") }
        guard let stage = ReviewStage(rawValue: text) else { throw UsageError("--stage \(text) is not pre or final") }
        return stage
    }

    static func instant(_ arguments: ParsedArguments) throws -> Date {
        guard let text = arguments.option("at") else { return Date() }
        guard let date = Timestamp.parse(text) else {
            throw UsageError("--at \(text) is not ISO 8601 with an offset, such as 2020-05-04T09:00:00+08:00")
        }
        return date
    }
}
