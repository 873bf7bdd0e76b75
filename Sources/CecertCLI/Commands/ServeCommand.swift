import CecertCore
import CecertServer
import CecertStore
import Foundation

/// `cecert serve [--listen 127.0.0.1:8080]`: the public verification service.
enum ServeCommand: Subcommand {
    static let name = "serve"
    static let summary = "Serve verification pages and the JSON API until SIGINT or SIGTERM"
    static let usage = "[--listen HOST:PORT] [--threads N] [--store PATH] [--out DIR]"
    static let options: Set<String> = ["listen", "threads"]
    static let flags: Set<String> = []

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
}
