import CecertCore
import CecertStore

/// `cecert batches add|show|set-points|set-norms`: batch windows, admission rules and hour norms.
enum BatchesCommand: Subcommand {
    static let name = "batches"
    static let summary = "Configure batches: window, region, acceptance points and hour norms"
    static let usage = """
        add CODE --name NAME --opens YYYY-MM-DD --closes YYYY-MM-DD [--region 所在地] [--point 受理点]... [NORMS]
               cecert batches show CODE
               cecert batches set-points CODE [--region 所在地 | --no-region] [--point 受理点]...
               cecert batches set-norms CODE NORMS

        The window runs from 00:00 on --opens to 23:59:59 on --closes, China time. With --region, only
        applicants of that region and acceptance points starting with it and a dash (市直—某局) are admitted.
        Repeat --point for each acceptance point; with none, any point the region rule allows is admitted.
        NORMS, in hours (decimals allowed) unless noted; unset values keep the current or 2020 figures:
          --junior-per-year H          yearly norm for junior and untitled staff (2020: 40)
          --senior-per-year H          yearly norm for intermediate and senior staff (2020: 72)
          --junior-to-intermediate H   hours per qualification year, 初级申报中级 (2020: 40)
          --intermediate-to-senior H   hours per qualification year, 中级申报高级 (2020: 72)
          --public-courses-per-year N  public courses per qualification year, a whole number (2020: 1)
        """
    static let normOptions: Set<String> = ["junior-per-year", "senior-per-year", "junior-to-intermediate", "intermediate-to-senior",
                                           "public-courses-per-year"]
    static let options: Set<String> = normOptions.union(["name", "opens", "closes", "region", "point"])
    static let flags: Set<String> = ["no-region"]

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard arguments.positionals.count == 2 else {
            throw UsageError("give an action (add, show, set-points or set-norms) and a batch code")
        }
        let action = arguments.positionals[0]
        let code = arguments.positionals[1]
        let store = try ReviewStore(path: context.configuration.store)
        defer { store.close() }
        switch action {
        case "add":
            guard let name = arguments.option("name") else { throw UsageError("add needs --name NAME") }
            let batch = Batch(code: code, name: name, opensOn: try date(arguments, "opens"), closesOn: try date(arguments, "closes"))
            try store.addBatch(BatchConfiguration(batch: batch, region: arguments.option("region"),
                                                  acceptancePoints: arguments.options["point"] ?? [],
                                                  norms: try norms(arguments, base: .notice2020)))
            context.output("added batch \(code)")
        case "show":
            break
        case "set-points":
            let current = try configuration(code, store: store)
            if arguments.flag("no-region"), arguments.option("region") != nil {
                throw UsageError("give --region or --no-region, not both")
            }
            let region = arguments.flag("no-region") ? nil : arguments.option("region") ?? current.region
            try store.setAcceptancePoints(batch: code, region: region, points: arguments.options["point"] ?? [])
            context.output("set the acceptance points of batch \(code)")
        case "set-norms":
            guard !normOptions.isDisjoint(with: arguments.options.keys) else {
                throw UsageError("set-norms needs at least one norm option, such as --senior-per-year 90")
            }
            let current = try configuration(code, store: store)
            try store.setNorms(batch: code, norms: try norms(arguments, base: current.norms))
            context.output("set the hour norms of batch \(code)")
        default:
            throw UsageError("unknown action \(action); use add, show, set-points or set-norms")
        }
        describe(try configuration(code, store: store), context: context)
        return CecertCommand.ExitStatus.success
    }

    static func describe(_ configuration: BatchConfiguration, context: CommandContext) {
        let batch = configuration.batch
        let norms = configuration.norms
        context.output("batch \(batch.code): \(batch.name)")
        context.output("window: \(batch.opensOn) 00:00 to \(batch.closesOn) 23:59:59 China time")
        context.output("region: \(configuration.region ?? "any")")
        if configuration.acceptancePoints.isEmpty {
            context.output("acceptance points: any\(configuration.region.map { " under \($0)—" } ?? "")")
        } else {
            context.output("acceptance points:")
            configuration.acceptancePoints.forEach { context.output("  \($0)") }
        }
        context.output("norms: junior \(norms.juniorPerYear) h/year, intermediate and senior \(norms.seniorPerYear) h/year, 初级申报中级 \(norms.juniorToIntermediatePerYear) h/year, 中级申报高级 \(norms.intermediateToSeniorPerYear) h/year, \(norms.publicCoursesPerYear) public course(s)/year")
    }

    static func configuration(_ code: String, store: ReviewStore) throws -> BatchConfiguration {
        guard let configuration = try store.batchConfiguration(code: code) else {
            throw CecertError(.notFound, "batch \(code) is not configured; add it with `cecert batches add \(code) ...`")
        }
        return configuration
    }

    static func date(_ arguments: ParsedArguments, _ name: String) throws -> CivilDate {
        guard let text = arguments.option(name) else { throw UsageError("add needs --\(name) YYYY-MM-DD") }
        guard let date = CivilDate(text) else { throw UsageError("--\(name) \(text) is not a date YYYY-MM-DD") }
        return date
    }

    static func norms(_ arguments: ParsedArguments, base: HourNorms) throws -> HourNorms {
        var norms = base
        func hours(_ name: String) throws -> Hours? {
            guard let text = arguments.option(name) else { return nil }
            guard let value = Hours(text), value > .zero else {
                throw UsageError("--\(name) \(text) must be a positive number of hours with at most two decimals")
            }
            return value
        }
        if let value = try hours("junior-per-year") { norms.juniorPerYear = value }
        if let value = try hours("senior-per-year") { norms.seniorPerYear = value }
        if let value = try hours("junior-to-intermediate") { norms.juniorToIntermediatePerYear = value }
        if let value = try hours("intermediate-to-senior") { norms.intermediateToSeniorPerYear = value }
        if let count = try arguments.integer("public-courses-per-year") {
            guard count >= 0 else { throw UsageError("--public-courses-per-year must be 0 or more") }
            norms.publicCoursesPerYear = count
        }
        return norms
    }
}
