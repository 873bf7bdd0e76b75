/// A small command-line parser shaped after swift-argument-parser: options `--name value` or
/// `--name=value`, flags `--name`, and positional arguments, checked against what a command declares.
struct ParsedArguments {
    private(set) var options: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// Parses `arguments` against the declared option and flag names (without dashes).
    /// - Throws: `UsageError` for an unknown option, or an option without its value.
    init(_ arguments: [String], options optionNames: Set<String>, flags flagNames: Set<String>) throws {
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(argument.drop(while: { $0 == "-" }))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if argument.hasPrefix("-"), !argument.hasPrefix("--"), name == "o" { name = "output" }
            if flagNames.contains(name), value == nil {
                flags.insert(name)
            } else if optionNames.contains(name) {
                if value == nil {
                    guard index < arguments.count else { throw UsageError("option --\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                options[name, default: []].append(value!)
            } else {
                throw UsageError("unknown option \(argument); see --help")
            }
        }
    }

    func option(_ name: String) -> String? { options[name]?.last }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func integer(_ name: String) throws -> Int? {
        guard let text = option(name) else { return nil }
        guard let value = Int(text) else { throw UsageError("option --\(name) needs a whole number, not \(text)") }
        return value
    }
}

/// A mistake in how a command was invoked; the CLI prints it with a hint and exits with status 2.
struct UsageError: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
