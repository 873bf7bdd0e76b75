import Foundation
import Testing

struct ApplicationsCommandTests {
    @Test func helpListsWorkflowCommands() {
        let result = CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("  applications  List, show, submit, review and correct applications"))
        #expect(result.output.contains("  batches       Configure batches: window, region, acceptance points and hour norms"))
        #expect(result.output.contains("  certificates  List issued certificates: number, state, application and verification URL"))
        let help = CLI.run(["applications", "--help"])
        #expect(help.status == 0)
        #expect(help.output.hasPrefix("usage: cecert applications list [--batch CODE] [--stage STATE] [--point 受理点]\n"))
        #expect(help.output.hasSuffix("\n\nList, show, submit, review and correct applications"))
    }

    @Test func batchRunsFromSubmissionToApproval() throws {
        let directory = TemporaryDirectory()
        let store = try WorkflowData.store(in: directory, drafts: ["A-1"])
        func run(_ arguments: [String]) -> CLIResult { CLI.run(arguments + ["--store", store]) }

        let submitted = run(["applications", "submit", "A-1", "--actor", "窗口", "--at", "2020-05-04T09:00:00+08:00"])
        #expect(submitted.output == "submitted A-1: state submitted, version 1")
        let returned = run(["applications", "return", "A-1", "--stage", "pre", "--reviewer", "卫健委", "--comment", "2016年学时不足",
                            "--at", "2020-05-05T10:00:00+08:00"])
        #expect(returned.output == "pre-review returned A-1: state pre_returned, version 2")
        let courses = directory.write("courses.jsonl", #"{"year": 2016, "category": "professional", "title": "论文", "hours": 10, "source": "manual", "evidence": "evidence/2016-1.pdf"}"# + "\n")
        let corrected = run(["applications", "correct", "A-1", "--courses", courses, "--actor", "窗口"])
        #expect(corrected.status == 0)
        #expect(corrected.output == "corrected A-1: 5 course(s), state pre_returned, version 3; submit it again with `cecert applications submit A-1`")
        #expect(run(["applications", "submit", "A-1", "--actor", "窗口", "--at", "2020-05-06T09:00:00+08:00"]).status == 0)
        #expect(run(["applications", "approve", "A-1", "--stage", "pre", "--reviewer", "卫健委", "--at", "2020-05-07T09:00:00+08:00"])
            .output == "pre-review approved A-1: state pre_approved, version 5")
        #expect(run(["applications", "approve", "A-1", "--stage", "final", "--reviewer", "职称办", "--comment", "同意",
                     "--at", "2020-05-08T09:00:00+08:00"]).output == "final-review approved A-1: state final_approved, version 6")

        let list = run(["applications", "list", "--batch", "2020-SZ-CE", "--stage", "final_approved",
                        "--point", "市直—泰州市卫生健康委员会"])
        #expect(list.output == """
            A-1  2020-SZ-CE  final_approved  v6  市直—泰州市卫生健康委员会  申请人0  321204********0326
            1 application
            """)
        #expect(run(["applications", "list", "--stage", "submitted"]).output == "0 applications")

        let show = run(["applications", "show", "A-1"])
        #expect(show.status == 0)
        let expectedLines = [
            "application A-1  state final_approved  version 6",
            "rules: 4 year(s) 2016-2019, yearly norm 40 h",
            "  2016  1  30  10  40",
            "  total 160 h of 160 required; public courses 4 of 4 required",
            "  missing: nothing, the hour rules are met",
            "  2016  专业科目  论文  10 h  手工  evidence evidence/2016-1.pdf",
            "  2020-05-05T10:00:00+08:00  pre-review (预审) returned by 卫健委: 2016年学时不足",
            "  2020-05-06T09:00:00+08:00  submitted by 窗口: resubmitted after a pre-review return",
            "  2020-05-08T09:00:00+08:00  final review (终审) approved by 职称办: 同意",
        ]
        let lines = show.output.split(separator: "\n").map(String.init)
        for line in expectedLines {
            #expect(lines.contains(line), "show lacks \(line)")
        }
    }

    @Test func noticeExampleShownWithShortfall() throws {
        let directory = TemporaryDirectory()
        let store = try WorkflowData.store(in: directory, drafts: ["A-1"])
        let show = CLI.run(["applications", "show", "A-1", "--store", store])
        let lines = show.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("  total 150 h of 160 required; public courses 4 of 4 required"))
        #expect(lines.contains("  missing: 150 of 160 hours"))

        let changed = CLI.run(["batches", "set-norms", "2020-SZ-CE", "--junior-to-intermediate", "90", "--store", store])
        #expect(changed.status == 0)
        #expect(changed.output.contains("初级申报中级 90 h/year"))
        let national = CLI.run(["applications", "show", "A-1", "--store", store]).output.split(separator: "\n").map(String.init)
        #expect(national.contains("  missing: 150 of 360 hours"))
    }

    @Test(arguments: [
        (["approve", "A-1", "--stage", "final", "--reviewer", "职称办"], 1,
         "error: workflow error: final-review approved is allowed only after pre-review approval; the application is submitted"),
        (["approve", "A-1", "--stage", "pre", "--reviewer", "卫健委", "--expect-version", "0"], 1,
         "error: conflict: application A-1 was changed by someone else (version 0 is now 1, state submitted); run `cecert applications show A-1` and decide again"),
        (["return", "A-1", "--stage", "pre", "--reviewer", "卫健委"], 2,
         "error: return needs --comment TEXT saying what to correct"),
        (["approve", "A-1", "--stage", "middle", "--reviewer", "卫健委"], 2, "error: --stage middle is not pre or final"),
        (["submit", "A-1"], 1, "error: workflow error: the application is already submitted"),
        (["correct", "A-1", "--courses", "/nonexistent.jsonl"], 1, "error: I/O error: cannot read /nonexistent.jsonl"),
        (["show", "NOPE"], 1, "error: not found: application NOPE is not in the store; check the id with `cecert applications list`"),
    ] as [([String], Int32, String)])
    func refusalNamesRule(_ arguments: [String], _ status: Int32, _ message: String) throws {
        let directory = TemporaryDirectory()
        let store = try WorkflowData.store(in: directory, drafts: ["A-1"])
        #expect(CLI.run(["applications", "submit", "A-1", "--at", "2020-05-04T09:00:00+08:00", "--store", store]).status == 0)
        let result = CLI.run(["applications"] + arguments + ["--store", store])
        #expect(result.status == status)
        #expect(result.errorOutput.split(separator: "\n").first.map(String.init) == message)
    }

    @Test func finalReturnRefusesResubmission() throws {
        let directory = TemporaryDirectory()
        let store = try WorkflowData.store(in: directory, drafts: ["A-1"])
        for arguments in [["submit", "A-1", "--at", "2020-05-04T09:00:00+08:00"],
                          ["approve", "A-1", "--stage", "pre", "--reviewer", "卫健委"],
                          ["return", "A-1", "--stage", "final", "--reviewer", "职称办", "--comment", "学时不实"]] {
            #expect(CLI.run(["applications"] + arguments + ["--store", store]).status == 0)
        }
        let again = CLI.run(["applications", "submit", "A-1", "--at", "2020-05-05T09:00:00+08:00", "--store", store])
        #expect(again.status == 1)
        #expect(again.errorOutput == "error: workflow error: the application was returned at final review and is locked for this batch; it may be declared again in a later batch")
    }
}

struct DecisionTimeTests {
    @Test func decisionBeforeSubmissionRejected() throws {
        let directory = TemporaryDirectory()
        let store = try WorkflowData.store(in: directory, drafts: ["A-1"])
        func run(_ arguments: [String]) -> CLIResult { CLI.run(arguments + ["--store", store]) }
        #expect(run(["applications", "submit", "A-1", "--at", "2020-04-01T09:00:00+08:00"]).status == 0)

        let early = run(["applications", "approve", "A-1", "--stage", "pre", "--reviewer", "卫健委", "--at", "2020-03-31T09:00:00+08:00"])
        #expect(early.status == 1)
        #expect(early.errorOutput.hasPrefix("error: workflow error: a decision dated 2020-03-31T09:00:00+08:00 would come before the submission or the previous review (2020-04-01T09:00:00+08:00)"))

        let future = run(["applications", "approve", "A-1", "--stage", "pre", "--reviewer", "卫健委", "--at", "2099-01-01T00:00:00+08:00"])
        #expect(future.status == 1)
        #expect(future.errorOutput.hasPrefix("error: invalid input: the decision time 2099-01-01T00:00:00+08:00 is in the future"))

        let returned = run(["applications", "return", "A-1", "--stage", "pre", "--reviewer", "卫健委", "--comment", "补材料",
                            "--at", "2020-04-02T09:00:00+08:00"])
        #expect(returned.status == 0)
        let resubmitted = run(["applications", "submit", "A-1", "--at", "2020-04-01T12:00:00+08:00"])
        #expect(resubmitted.status == 1)
        #expect(resubmitted.errorOutput.hasPrefix("error: workflow error: a submission dated 2020-04-01T12:00:00+08:00 would come before the review it follows"))
    }
}
