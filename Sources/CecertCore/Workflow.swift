import Foundation

/// The review states of an application within one batch.
///
/// draft → submitted → pre_approved | pre_returned; pre_returned → submitted (corrected and resubmitted,
/// any number of times); pre_approved → final_approved | final_returned. A final return locks the
/// application for its batch; it may be declared again in a later batch.
public enum WorkflowState: String, Sendable, Hashable, Codable, CaseIterable {
    case draft
    case submitted
    case preApproved = "pre_approved"
    case preReturned = "pre_returned"
    case finalApproved = "final_approved"
    case finalReturned = "final_returned"
}

/// An action that moves an application between workflow states.
public enum WorkflowAction: Sendable, Hashable, CustomStringConvertible {
    case submit
    case decide(ReviewStage, ReviewDecision)

    public var description: String {
        switch self {
        case .submit: "submit"
        case let .decide(stage, decision): "\(stage.rawValue)-review \(decision.rawValue)"
        }
    }
}

public enum Workflow {
    /// The state after `action`, or an error naming the rule that forbids it.
    public static func next(from state: WorkflowState, _ action: WorkflowAction) throws -> WorkflowState {
        switch (state, action) {
        case (.draft, .submit), (.preReturned, .submit):
            return .submitted
        case (.submitted, .decide(.pre, .approved)):
            return .preApproved
        case (.submitted, .decide(.pre, .returned)):
            return .preReturned
        case (.preApproved, .decide(.final, .approved)):
            return .finalApproved
        case (.preApproved, .decide(.final, .returned)):
            return .finalReturned
        case (.finalReturned, _):
            throw CecertError(.workflow, "the application was returned at final review and is locked for this batch; it may be declared again in a later batch")
        case (.finalApproved, _):
            throw CecertError(.workflow, "the application is already final-approved")
        case (.draft, .decide), (.preReturned, .decide(.final, _)), (.submitted, .decide(.final, _)):
            throw CecertError(.workflow, "\(action) is allowed only after \(action == .decide(.final, .approved) || action == .decide(.final, .returned) ? "pre-review approval" : "submission"); the application is \(state.rawValue)")
        case (.preReturned, .decide(.pre, _)):
            throw CecertError(.workflow, "a pre-returned application must be corrected and resubmitted before it is reviewed again")
        case (.submitted, .submit), (.preApproved, .submit):
            throw CecertError(.workflow, "the application is already \(state.rawValue)")
        case (.preApproved, .decide(.pre, _)):
            throw CecertError(.workflow, "the application is already pre-approved; it awaits final review")
        }
    }

    /// Replays an exported review history: submission, then each decision oldest first.
    ///
    /// The platform's export does not record resubmissions, so a pre-review decision that follows a
    /// pre-review return implies one.
    /// - Throws: `CecertError(.workflow)` naming the review index and the rule it breaks.
    public static func replay(submitted: Bool, reviews: [Review], submittedAt: Date? = nil) throws -> WorkflowState {
        var state: WorkflowState = submitted || !reviews.isEmpty ? .submitted : .draft
        var previous = submittedAt
        for (index, review) in reviews.enumerated() {
            if let previous, review.at < previous {
                throw CecertError(.workflow, "reviews[\(index)]: dated \(Timestamp.format(review.at)), before the submission or the review before it (\(Timestamp.format(previous)))")
            }
            previous = review.at
            if state == .preReturned, review.stage == .pre {
                state = try next(from: state, .submit)
            }
            do {
                state = try next(from: state, .decide(review.stage, review.decision))
            } catch let error as CecertError {
                throw CecertError(.workflow, "reviews[\(index)]: \(error.message)")
            }
        }
        return state
    }
}
