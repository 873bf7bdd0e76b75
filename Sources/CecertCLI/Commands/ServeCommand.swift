import CecertCore
import CecertServer
import CecertStore
import Foundation

/// `cecert serve [--listen 127.0.0.1:8080]`: the public verification service.
enum ServeCommand: Subcommand {
    static let name = "serve"
    static let summary = "Serve verification pages and the JSON API until SIGINT or SIGTERM"
    static let usage = """
        [--listen HOST:PORT] [--threads N] [--trusted-proxy IP]... [--download-tokens FILE] [--no-rate-limit] \
        [--store PATH] [--out DIR]
          --download-tokens FILE  hex SHA-256 hashes of the bearer tokens for PDF downloads, one per line
          --no-rate-limit         turn off the per-client lookup limits (for load tests on 127.0.0.1 only)
        """
    static let options: Set<String> = ["listen", "threads", "trusted-proxy", "download-tokens"]
    static let flags: Set<String> = ["no-rate-limit"]

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        var serverConfiguration = ServerConfiguration()
        if let listen = arguments.option("listen") {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
                  (0...65535).contains(port) else {
                throw UsageError("--listen needs HOST:PORT, for example 127.0.0.1:8080")
            }
            serverConfiguration.host = String(listen[..<colon])
            serverConfiguration.port = port
        }
        if let threads = try arguments.integer("threads") { serverConfiguration.threadPoolSize = threads }
        serverConfiguration.certificatesDirectory = context.configuration.certificatesDirectory
        serverConfiguration.trustedProxies = arguments.options["trusted-proxy"] ?? []
        if arguments.flag("no-rate-limit") {
            serverConfiguration.lookupRateLimit = nil
            serverConfiguration.failedLookupRateLimit = nil
            context.logger.notice("Rate limits are off", metadata: ["reason": "--no-rate-limit"])
        }
        if let path = arguments.option("download-tokens") {
            serverConfiguration.downloadTokenHashes = try readTokenHashes(path)
        }

        // A log line written to a closed pipe must fail with EPIPE, not stop the server with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let directory = try StoreDirectory(path: context.configuration.store)
        let server = try VerificationServer(configuration: serverConfiguration, directory: directory, logger: context.logger)
        let port = try server.start()
        context.output("serving on http://\(serverConfiguration.host):\(port)/v")

        let stopped = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stopped.signal() }
            source.resume()
            sources.append(source)
        }
        stopped.wait()
        server.stop()
        directory.close()
        return CecertCommand.ExitStatus.success
    }

    /// Reads one lower-case hex SHA-256 per line; blank lines and `#` comments are skipped.
    static func readTokenHashes(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CecertError(.configuration, "download token file \(path) cannot be read")
        }
        var hashes: [String] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces).lowercased()
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard text.count == 64, Sodium.bytes(fromHex: text) != nil else {
                throw CecertError(.configuration, "download token file \(path) line \(index + 1) is not a hex SHA-256")
            }
            hashes.append(text)
        }
        return hashes
    }
}
