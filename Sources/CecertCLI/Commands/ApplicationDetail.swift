import CecertCore
import CecertStore
import Foundation

// MARK: - applications show

extension ApplicationsCommand {
    static func show(_ id: String, store: ReviewStore, context: CommandContext) throws -> Int32 {
        guard let application = try store.application(id: id), let status = try store.workflowStatus(applicationID: id) else {
            throw CecertError(.notFound, "application \(id) is not in the store; check the id with `cecert applications list`")
        }
        let norms = try store.norms(batch: application.batch.code)
        let applicant = application.applicant
        let batch = application.batch
        var lines = [
            "application \(id)  state \(status.state.rawValue)  version \(status.version)",
            "batch: \(batch.code) \(batch.name) (\(batch.opensOn) to \(batch.closesOn))",
            "applicant: \(applicant.name)  \(applicant.idNumber)  \(applicant.region)  \(applicant.workUnit)",
            "contact: \(applicant.phone.isEmpty ? "-" : applicant.phone)  \(applicant.email.isEmpty ? "-" : applicant.email)",
            "acceptance point: \(application.acceptancePoint)",
            "current title: \(application.currentTitle.map { "\($0.chinese), obtained \($0.obtainedOn?.description ?? "-")" } ?? "无")",
            "declaration: \(application.declaration.chinese) (\(application.declaration.rawValue)), qualification years \(formatYears(application.qualificationYears))",
        ]
        lines += rulesLines(HourRules.evaluate(application, norms: norms))
        lines.append("courses:")
        if application.courses.isEmpty { lines.append("  (none)") }
        for course in application.courses {
            lines.append("  \(course.year)  \(course.category.chinese)  \(course.title)  \(course.hours) h  \(course.source.chinese)"
                + (course.evidence.map { "  evidence \($0)" } ?? ""))
        }
        lines.append("history:")
        lines += historyLines(application, events: try store.applicationEvents(applicationID: id))
        lines.forEach(context.output)
        return CecertCommand.ExitStatus.success
    }

    /// Formats each year's public courses and hours, the total against the requirement, and what is missing.
    static func rulesLines(_ evaluation: RuleEvaluation) -> [String] {
        var lines = ["rules: \(evaluation.years) year(s) \(evaluation.period.lowerBound)-\(evaluation.period.upperBound), yearly norm \(evaluation.yearlyNorm) h"]
        lines.append("  year  public courses  public h  professional h  total h")
        for row in evaluation.rows {
            lines.append("  \(row.year)  \(row.publicCourses)  \(row.publicHours)  \(row.professionalHours)  \(row.totalHours)")
        }
        let required = evaluation.requiredHours.map { "\($0)" } ?? "no hour total"
        lines.append("  total \(evaluation.totalHours) h of \(required) required; public courses \(evaluation.publicCourses) of \(evaluation.requiredPublicCourses) required")
        if evaluation.isMet {
            lines.append("  missing: nothing, the hour rules are met")
        } else {
            lines.append("  missing: " + evaluation.shortfalls.map(\.description).joined(separator: "; "))
        }
        return lines
    }

    /// Lists submissions, corrections and decisions, oldest first. An imported submission has no event, so
    /// its `submitted_at` is shown instead.
    static func historyLines(_ application: Application, events: [ApplicationEvent]) -> [String] {
        var entries: [(at: Date, order: Int, text: String)] = []
        if let submittedAt = application.submittedAt, !events.contains(where: { $0.action == "submit" }) {
            entries.append((submittedAt, 0, "submitted (imported from the platform)"))
        }
        for (index, event) in events.enumerated() {
            let verb = event.action == "submit" ? "submitted" : "corrected"
            entries.append((event.at, 1 + index, "\(verb) by \(event.actor)" + (event.detail.isEmpty ? "" : ": \(event.detail)")))
        }
        for (index, review) in application.reviews.enumerated() {
            let stage = review.stage == .pre ? "pre-review (预审)" : "final review (终审)"
            entries.append((review.at, 10_000 + index,
                            "\(stage) \(review.decision.rawValue) by \(review.reviewer)" + (review.comment.isEmpty ? "" : ": \(review.comment)")))
        }
        guard !entries.isEmpty else { return ["  (none)"] }
        return entries.sorted { ($0.at, $0.order) < ($1.at, $1.order) }.map { "  \(Timestamp.format($0.at))  \($0.text)" }
    }

    static func formatYears(_ years: Double) -> String {
        years == years.rounded() ? String(Int(years)) : String(years)
    }
}
