import CecertCore
import Testing

struct WorkflowTests {
    @Test(arguments: [
        (WorkflowState.draft, WorkflowAction.submit, WorkflowState.submitted),
        (.submitted, .decide(.pre, .approved), .preApproved),
        (.submitted, .decide(.pre, .returned), .preReturned),
        (.preReturned, .submit, .submitted),
        (.preApproved, .decide(.final, .approved), .finalApproved),
        (.preApproved, .decide(.final, .returned), .finalReturned),
    ])
    func allowedTransitions(_ from: WorkflowState, _ action: WorkflowAction, _ to: WorkflowState) throws {
        #expect(try Workflow.next(from: from, action) == to)
    }

    @Test(arguments: [
        (WorkflowState.draft, WorkflowAction.decide(.pre, .approved), "only after submission"),
        (.submitted, .decide(.final, .approved), "only after pre-review approval"),
        (.preReturned, .decide(.final, .approved), "only after pre-review approval"),
        (.preReturned, .decide(.pre, .approved), "corrected and resubmitted"),
        (.finalReturned, .submit, "declared again in a later batch"),
        (.finalReturned, .decide(.pre, .approved), "locked for this batch"),
        (.finalApproved, .decide(.final, .returned), "already final-approved"),
        (.submitted, .submit, "already submitted"),
        (.preApproved, .decide(.pre, .returned), "awaits final review"),
    ])
    func rejectedTransitions(_ from: WorkflowState, _ action: WorkflowAction, _ reason: String) {
        #expect {
            try Workflow.next(from: from, action)
        } throws: { error in
            (error as? CecertError)?.code == .workflow && (error as? CecertError)?.message.contains(reason) == true
        }
    }

    @Test func replayImpliesResubmissionAfterPreReturn() throws {
        let at = Timestamp.parse("2020-05-05T12:00:00+08:00")!
        let reviews = [Review(stage: .pre, decision: .returned, reviewer: "a", at: at),
                       Review(stage: .pre, decision: .approved, reviewer: "a", at: at),
                       Review(stage: .final, decision: .approved, reviewer: "b", at: at)]
        #expect(try Workflow.replay(submitted: true, reviews: reviews) == .finalApproved)
    }

    @Test func replayRejectsFinalBeforePre() {
        let at = Timestamp.parse("2020-05-05T12:00:00+08:00")!
        #expect(throws: CecertError(.workflow, "")) {
            try Workflow.replay(submitted: true, reviews: [Review(stage: .final, decision: .approved, reviewer: "b", at: at)])
        }
    }
}
