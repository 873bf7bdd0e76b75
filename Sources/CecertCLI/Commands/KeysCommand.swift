import CecertCore
import CecertStore

/// `cecert keys generate | list | rotate`: the Ed25519 keys that sign certificate records.
enum KeysCommand: Subcommand {
    static let name = "keys"
    static let summary = "Manage signing keys: generate (first key), list, rotate (new key; old ones keep verifying)"
    static let usage = "generate|list|rotate [--keys DIR] [--store PATH]"
    static let options: Set<String> = []
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard arguments.positionals.count == 1, let action = arguments.positionals.first else {
            throw UsageError("give one action: generate, list or rotate")
        }
        let store = try ReviewStore(path: context.configuration.store, mustExist: action != "generate")
        defer { store.close() }
        let ring = KeyRing(directory: context.configuration.keysDirectory)
        switch action {
        case "generate":
            if let active = try store.publicKeys().last(where: { $0.retiredAt == nil }) {
                throw CecertError(.conflict, "key \(active.keyID) is already active; use `cecert keys rotate` for a new one")
            }
            let key = try ring.generate(store: store)
            context.logger.info("Signing key generated", metadata: ["key.id": key.keyID])
            context.output("generated key \(key.keyID)")
        case "rotate":
            let key = try ring.rotate(store: store)
            context.logger.info("Signing key rotated", metadata: ["key.id": key.keyID])
            context.output("rotated to key \(key.keyID); earlier keys are retired and keep verifying their certificates")
        case "list":
            for key in try store.publicKeys() {
                let state = key.retiredAt.map { "retired \($0)" } ?? "active"
                context.output("\(key.keyID)  created \(key.createdAt)  \(state)  public \(Sodium.hex(key.publicKey))")
            }
        default:
            throw UsageError("unknown action \(action); use generate, list or rotate")
        }
        return CecertCommand.ExitStatus.success
    }
}
