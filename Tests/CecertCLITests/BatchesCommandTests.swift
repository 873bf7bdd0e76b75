import Testing

struct BatchesCommandTests {
    @Test func addShowAndSetPoints() {
        let directory = TemporaryDirectory()
        let store = directory.path + "/cecert.sqlite"
        let added = CLI.run(["batches", "add", "2021-SZ-CE", "--name", "2021年市直批次", "--opens", "2021-04-01", "--closes",
                             "2021-06-30", "--region", "市直", "--senior-per-year", "90", "--store", store])
        #expect(added.status == 0)
        #expect(added.output == """
            added batch 2021-SZ-CE
            batch 2021-SZ-CE: 2021年市直批次
            window: 2021-04-01 00:00 to 2021-06-30 23:59:59 China time
            region: 市直
            acceptance points: any under 市直—
            norms: junior 40 h/year, intermediate and senior 90 h/year, 初级申报中级 40 h/year, 中级申报高级 72 h/year, 1 public course(s)/year
            """)
        let points = CLI.run(["batches", "set-points", "2021-SZ-CE", "--point", "市直—泰州市教育局", "--point", "市直—泰州市卫生健康委员会",
                              "--store", store])
        #expect(points.status == 0)
        let shown = CLI.run(["batches", "show", "2021-SZ-CE", "--store", store])
        #expect(shown.output.contains("region: 市直\nacceptance points:\n  市直—泰州市教育局\n  市直—泰州市卫生健康委员会\n"))
        let cleared = CLI.run(["batches", "set-points", "2021-SZ-CE", "--no-region", "--store", store])
        #expect(cleared.output.contains("region: any\nacceptance points: any\n"))
    }

    @Test(arguments: [
        (["add", "2021-SZ-CE", "--name", "x", "--opens", "2021-04-01"], Int32(2), "error: add needs --closes YYYY-MM-DD"),
        (["add", "2021-SZ-CE", "--name", "x", "--opens", "2021-07-01", "--closes", "2021-06-30"], 1,
         "error: invalid input: batch 2021-SZ-CE closes on 2021-06-30, before it opens on 2021-07-01"),
        (["show", "2099-XX"], 1, "error: not found: batch 2099-XX is not configured; add it with `cecert batches add 2099-XX ...`"),
        (["set-norms", "2099-XX"], 2, "error: set-norms needs at least one norm option, such as --senior-per-year 90"),
        (["set-norms", "2099-XX", "--senior-per-year", "-1"], 1,
         "error: not found: batch 2099-XX is not configured; add it with `cecert batches add 2099-XX ...`"),
    ] as [([String], Int32, String)])
    func invalidRequestsRejected(_ arguments: [String], _ status: Int32, _ message: String) {
        let directory = TemporaryDirectory()
        let result = CLI.run(["batches"] + arguments + ["--store", directory.path + "/cecert.sqlite"])
        #expect(result.status == status)
        #expect(result.errorOutput.split(separator: "\n").first.map(String.init) == message)
    }
}
