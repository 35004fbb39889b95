import Slope

/// The notebook's `@interact` for any function written in Swift: sliders for its named
/// parameters on the `slope interact` page, the loss, its slopes by autograd, Step and Run.
///
/// ```swift
/// try await Interact(parameters: ["a": 1, "b": 2, "c": 3]) { p, x in
///     p.a * x.pow(2) + p.b * x + p.c
/// }.serve()   // prints http://127.0.0.1:8080, serves until Ctrl-C
/// ```
public struct Interact: Sendable {
    /// What the page serves: the function as ``FunctionFamily/custom(_:)``, the lesson's points
    /// and MSE unless changed, on `127.0.0.1:8080`.
    public var configuration: InteractConfiguration

    /// A page for `f(p, x)`.
    ///
    /// - Parameters:
    ///   - name: What the page calls the function.
    ///   - parameters: The names with their starting values, in slider order.
    ///   - body: The function at every value of the rank-1 `x`, reading `p.a` for parameter `a`.
    public init(name: String = "your function", parameters: KeyValuePairs<String, Float>,
                _ body: @escaping @Sendable (InteractParameters, Tensor) -> Tensor) {
        configuration = InteractConfiguration()
        configuration.family = .custom(CustomFunction(name: name, parameters: parameters, body))
    }

    /// Serves the page until the process gets SIGINT or SIGTERM.
    ///
    /// - Parameters:
    ///   - port: The port (0: any free one); the host is ``configuration``'s, loopback by default.
    ///   - onListening: Called with the page's URL once it accepts connections (default: prints it).
    /// - Throws: The bind error when the address cannot be listened on, or a server error.
    public func serve(port: Int? = nil, onListening: @escaping @Sendable (String) async -> Void = { print($0) }) async throws {
        var configuration = configuration
        if let port { configuration.port = port }
        try await InteractServer(configuration: configuration).run(onListening: onListening)
    }
}
