import CecertCore
import CecertStore

/// `cecert applicants rename ID_NUMBER --name NAME --reason TEXT`: corrects a misspelt name, which an
/// import never changes because the same ID number with another name is reported instead.
enum ApplicantsCommand: Subcommand {
    static let name = "applicants"
    static let summary = "Correct an applicant's name; reissue their certificates to print it"
    static let usage = "rename ID_NUMBER --name NAME --reason TEXT [--actor NAME] [--store PATH]"
    static let options: Set<String> = ["name", "reason", "actor"]
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard arguments.positionals.count == 2, arguments.positionals[0] == "rename" else {
            throw UsageError("give the action rename and one ID number")
        }
        let idNumber: String
        do {
            idNumber = try IDNumber.normalize(arguments.positionals[1])
        } catch let error as CecertError {
            throw CecertError(.invalidInput, "ID number: \(error.message)")
        }
        guard let rawName = arguments.option("name") else { throw UsageError("--name is required") }
        guard let reason = arguments.option("reason"), !reason.isEmpty else { throw UsageError("--reason is required") }
        let name: String
        do {
            name = try PersonName.normalize(rawName)
        } catch let error as CecertError {
            throw CecertError(.invalidInput, "name: \(error.message)")
        }
        let store = try ReviewStore(path: context.configuration.store, mustExist: true)
        defer { store.close() }
        let certificates = try store.renameApplicant(idNumber: idNumber, to: name, reason: reason, actor: actorName(arguments))
        context.logger.notice("Applicant renamed", metadata: ["applicant.id": IDNumber.mask(idNumber)])
        context.output("renamed the applicant \(IDNumber.mask(idNumber))")
        for number in certificates {
            context.output("certificate \(number) still shows the old name; run `cecert reissue \(number) --reason ...` to correct it")
        }
        return CecertCommand.ExitStatus.success
    }
}
