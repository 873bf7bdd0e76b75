import CecertCore
import Testing

/// Every state paired with every action: the five allowed transitions and a rejection for the rest.
struct WorkflowTableTests {
    static let actions: [WorkflowAction] = [
        .submit, .decide(.pre, .approved), .decide(.pre, .returned), .decide(.final, .approved), .decide(.final, .returned),
    ]

    /// The allowed transitions; any pair not listed here must be rejected.
    static let allowed: [WorkflowState: [WorkflowAction: WorkflowState]] = [
        .draft: [.submit: .submitted],
        .submitted: [.decide(.pre, .approved): .preApproved, .decide(.pre, .returned): .preReturned],
        .preReturned: [.submit: .submitted],
        .preApproved: [.decide(.final, .approved): .finalApproved, .decide(.final, .returned): .finalReturned],
    ]

    @Test(arguments: WorkflowState.allCases)
    func everyPairAllowedOrRejected(_ state: WorkflowState) throws {
        for action in Self.actions {
            if let expected = Self.allowed[state]?[action] {
                #expect(try Workflow.next(from: state, action) == expected, "\(state.rawValue) + \(action)")
            } else {
                #expect(throws: CecertError(.workflow, ""), "\(state.rawValue) + \(action) must be rejected") {
                    try Workflow.next(from: state, action)
                }
            }
        }
    }

    @Test func preReturnResubmitsAnyNumberOfTimes() throws {
        var state = WorkflowState.draft
        for _ in 0..<5 {
            state = try Workflow.next(from: state, .submit)
            state = try Workflow.next(from: state, .decide(.pre, .returned))
        }
        #expect(state == .preReturned)
        state = try Workflow.next(from: state, .submit)
        #expect(try Workflow.next(from: state, .decide(.pre, .approved)) == .preApproved)
    }

    @Test func finalReturnNamesLaterBatch() {
        #expect {
            try Workflow.next(from: .finalReturned, .submit)
        } throws: { error in
            let message = (error as? CecertError)?.message ?? ""
            return message.contains("locked for this batch") && message.contains("declared again in a later batch")
        }
    }

    @Test func replayRejectsResubmissionAfterFinalReturn() {
        let at = Timestamp.parse("2020-05-05T12:00:00+08:00")!
        let reviews = [Review(stage: .pre, decision: .approved, reviewer: "a", at: at),
                       Review(stage: .final, decision: .returned, reviewer: "b", at: at, comment: "不符"),
                       Review(stage: .pre, decision: .approved, reviewer: "a", at: at)]
        #expect {
            try Workflow.replay(submitted: true, reviews: reviews)
        } throws: { error in
            (error as? CecertError)?.message.hasPrefix("reviews[2]: ") == true
        }
    }
}
