#if Interact
import ArgumentParser
import Foundation
import Slope
import SlopeInteract
import Synchronization

/// `slope interact`: the lesson's sliders as a local web page. Prints `http://HOST:PORT` on
/// the first line of the standard output once the server listens, then serves until Ctrl-C.
struct InteractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interact",
        abstract: "Fit a function by hand in the browser: sliders, the loss, Step and Run (a local web page).",
        discussion: "Serves on loopback unless --host asks for another address. --port 0 picks a free port. "
            + "The first line printed is the page's URL.")

    @Option(help: "Address to listen on (loopback by default; another address exposes the page to that network).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8080

    @Option(help: ArgumentHelp(stringLiteral: "The function to fit: quadratic, relu, relus:N (a sum of N ReLUs, N from 1 to \(FunctionFamily.maxPieces)), "
        + "or a formula in x and named parameters, like 'a*sin(b*x) + c' (+ - * / ^, parentheses, exp, log, sin, cos, tanh, "
        + "abs, sqrt, relu, max, min, clamp)."))
    var function = "quadratic"

    @Option(help: "Fit the points in this CSV file (header x,y) instead of the lesson's noisy points.")
    var data: String?

    @Option(help: "The loss new pages start with: mse or mae.")
    var loss: FitLoss = .mse

    @Option(help: "The most pages served at once; the least recently used session is dropped past it.")
    var maxSessions = 64

    func run() throws {
        guard (0...65_535).contains(port) else { throw CommandError("--port must be from 0 to 65535, got \(port)") }
        guard maxSessions >= 1 else { throw CommandError("--max-sessions must be at least 1, got \(maxSessions)") }
        guard !host.isEmpty else { throw CommandError("--host must not be empty") }
        var configuration = InteractConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxSessions = maxSessions
        configuration.loss = loss
        do {
            configuration.family = try FunctionFamily(parsing: function)
        } catch {
            throw CommandError("--function: \(error.message)")
        }
        if let data {
            do {
                configuration.points = try FitPoints.csv(path: data)
            } catch {
                throw CommandError("\(error)")
            }
        }
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            FileHandle.standardError.write(Data("warning: serving on \(host): other machines that can reach this address can use the page\n".utf8))
        }
        let failure = ServeFailure()
        let finished = DispatchSemaphore(value: 0)
        let server = InteractServer(configuration: configuration)
        // The command line is synchronous; the server runs on Swift's concurrency pool while
        // this thread waits for it to stop (Ctrl-C or SIGTERM shut it down gracefully).
        Task.detached {
            do {
                try await server.run { url in
                    print(url)
                    fflush(nil)
                }
            } catch {
                failure.record(error)
            }
            finished.signal()
        }
        finished.wait()
        if let error = failure.error {
            throw CommandError("could not serve on \(InteractServer.url(host: host, port: port)): \(error)")
        }
    }
}

/// The error that stopped the server, handed from its task to the waiting command.
private final class ServeFailure: Sendable {
    private let stored = Mutex<String?>(nil)

    /// Keeps the error's description.
    func record(_ error: any Error) { stored.withLock { $0 = "\(error)" } }

    /// The recorded description, if any.
    var error: String? { stored.withLock { $0 } }
}
#endif
