import HTTPTypes
import Hummingbird
import Slope

/// Answers every request to the interact server: the page at `/` and the JSON API under
/// `/api/`. Each API call but `POST /api/session` names its session in the `session` query
/// parameter. Refused requests get a 4xx status and `{"error":"..."}`; nothing a client sends
/// stops the server.
///
/// ```swift
/// let responder = InteractResponder(configuration: InteractConfiguration())
/// let app = Application(responder: responder)
/// ```
public struct InteractResponder: HTTPResponder {
    /// Hummingbird's plain request context.
    public typealias Context = BasicRequestContext

    /// The largest request body accepted, in bytes.
    public static let maxBodyBytes = 64 * 1024
    /// The most steps one `POST /api/run` may ask for.
    public static let maxRunSteps = 1_000
    /// The learning rates accepted.
    public static let learningRates: ClosedRange<Double> = 1e-9...10
    /// The learning rate used when a request gives none.
    public static let defaultLearningRate: Float = 0.01

    /// What new sessions start with.
    public let configuration: InteractConfiguration
    /// The live sessions.
    public let store: SessionStore
    /// The Host, Origin and Content-Type rules every request must pass first.
    public let requestGuard: RequestGuard

    /// A responder for `configuration`, with an empty session store of its capacity.
    ///
    /// - Parameter configuration: The points, function family, loss, session capacity and host rules.
    public init(configuration: InteractConfiguration) {
        self.configuration = configuration
        self.store = SessionStore(capacity: configuration.maxSessions)
        self.requestGuard = RequestGuard(host: configuration.host)
    }

    /// The answer to one request; never throws, so every failure becomes a JSON error.
    ///
    /// - Parameters:
    ///   - request: The HTTP request.
    ///   - context: Hummingbird's request context (unused).
    /// - Returns: The page, a JSON state, or a JSON error with a 4xx status (`Allow` set on 405).
    /// - Throws: Nothing in practice: every error is turned into an answer; the `throws` is
    ///   `HTTPResponder`'s.
    public func respond(to request: Request, context: Context) async throws -> Response {
        do {
            // HTTP/1's first Host becomes the authority; any other stays a header field.
            try requestGuard.check(method: request.method, authority: request.head.authority, origin: request.headers[.origin],
                                   contentType: request.headers[.contentType], extraHosts: request.headers[values: Self.host].count)
            return try await answer(request)
        } catch {
            var response = InteractResponder.errorResponse(error)
            if response.status == .methodNotAllowed, let method = InteractResponder.endpoints[request.uri.path] {
                response.headers[.allow] = method.rawValue
            }
            return response
        }
    }

    // MARK: - Routing

    /// The endpoints and the one method each takes.
    static let endpoints: [String: HTTPRequest.Method] = [
        "/": .get, "/api/session": .post, "/api/state": .get, "/api/params": .post, "/api/step": .post,
        "/api/run": .post, "/api/reset": .post, "/api/points": .post, "/api/loss": .post, "/api/surface": .post,
    ]

    private func answer(_ request: Request) async throws(InteractError) -> Response {
        let path = request.uri.path
        guard let method = InteractResponder.endpoints[path] else {
            throw .notFound("no page or endpoint at `\(path)`; the API is described in the README under \"slope interact\"")
        }
        guard request.method == method else {
            throw .methodNotAllowed("\(path) takes \(method.rawValue), not \(request.method.rawValue)")
        }
        if path == "/" { return InteractResponder.pageResponse() }
        let body = try await InteractResponder.collectBody(request)
        if path == "/api/session" { return try createSession(body: body) }
        let session = try session(for: request)
        let json: JSON = try session.withState { (state: inout FitState) throws(InteractError) -> JSON in
            try apply(path: path, body: body, to: &state, session: session.id)
        }
        return InteractResponder.jsonResponse(json)
    }

    /// The session named by the `session` query parameter.
    private func session(for request: Request) throws(InteractError) -> FitSession {
        guard let id = request.uri.queryParameters["session"].map(String.init), !id.isEmpty else {
            throw .badRequest("missing `session` query parameter; create a session with POST /api/session")
        }
        guard let session = store.session(id: id) else {
            throw .notFound("unknown or expired session `\(id)`; create a new one with POST /api/session")
        }
        return session
    }

    /// `POST /api/session` `{"function"?: "relus:3", "loss"?: "mae"}`: a new session, answered
    /// with 201 and its state.
    private func createSession(body: [UInt8]) throws(InteractError) -> Response {
        let fields = try RequestBody(body, allowed: ["function", "loss"])
        let family = try fields.optional("function") { try FunctionFamily(parsing: try $0.string()) } ?? configuration.family
        let loss = try fields.optional("loss") { try FitLoss(reading: $0) } ?? configuration.loss
        let state = FitState(family: family, points: configuration.points, loss: loss)
        let session = store.create(state: state)
        return InteractResponder.jsonResponse(state.stateJSON(session: session.id), status: .created)
    }

    /// Carries out one session endpoint on the locked state and returns the answer's body.
    private func apply(path: String, body: [UInt8], to state: inout FitState, session id: String) throws(InteractError) -> JSON {
        switch path {
        case "/api/state":
            _ = try RequestBody(body, allowed: [])
            return state.stateJSON(session: id)
        case "/api/params":
            let fields = try RequestBody(body, allowed: nil)
            var changes: [(name: String, value: Double)] = []
            for (name, value) in fields.members {
                changes.append((name, try InteractError.reading { try value.double() }))
            }
            try state.set(changes)
            return state.stateJSON(session: id)
        case "/api/step":
            let fields = try RequestBody(body, allowed: ["lr"])
            let lr = try learningRate(fields)
            let report = state.descend(lr: lr, maxSteps: 1)
            return InteractResponder.merge(state.stateJSON(session: id), ("step", state.descentJSON(report)))
        case "/api/run":
            let fields = try RequestBody(body, allowed: ["lr", "steps", "tol", "window"])
            let lr = try learningRate(fields)
            let steps = try fields.optional("steps") { try $0.int(in: 1...InteractResponder.maxRunSteps) } ?? 50
            let tolerance = try fields.optional("tol") { try $0.double(in: 0...1e6) } ?? 0
            let window = try fields.optional("window") { try $0.int(in: 1...FitState.maxWindow) } ?? 20
            let report = state.descend(lr: lr, maxSteps: steps, tolerance: Float(tolerance), window: window)
            return InteractResponder.merge(state.stateJSON(session: id), ("run", state.descentJSON(report)))
        case "/api/surface":
            let fields = try RequestBody(body, allowed: ["x", "y", "size"])
            let x = try fields.required("x") { try $0.string() }
            let y = try fields.required("y") { try $0.string() }
            let size = try fields.optional("size") { try $0.int(in: FitState.surfaceSizes) } ?? 31
            return FitState.surfaceJSON(try state.lossSurface(x: x, y: y, size: size))
        case "/api/reset":
            _ = try RequestBody(body, allowed: [])
            state.reset()
            return state.stateJSON(session: id)
        case "/api/points":
            let fields = try RequestBody(body, allowed: ["seed"])
            guard case .generated(let oldSeed) = state.points.source else {
                throw .conflict("the points come from a file; New points only works with generated points")
            }
            let seed = try fields.optional("seed") { try $0.int(in: 0...Int(UInt32.max)) }.map(UInt32.init) ?? oldSeed &+ 1
            state.replacePoints(with: .lesson(seed: seed))
            return state.stateJSON(session: id)
        case "/api/loss":
            let fields = try RequestBody(body, allowed: ["loss"])
            state.setLoss(try fields.required("loss") { try FitLoss(reading: $0) })
            return state.stateJSON(session: id)
        default:
            throw .notFound("no endpoint at `\(path)`")
        }
    }

    /// The `lr` member, within ``learningRates``; ``defaultLearningRate`` when absent.
    private func learningRate(_ fields: RequestBody) throws(InteractError) -> Float {
        try fields.optional("lr") { try $0.double(in: InteractResponder.learningRates) }.map(Float.init) ?? InteractResponder.defaultLearningRate
    }

    // MARK: - Bodies and responses

    /// The request body, refused with 413 beyond ``maxBodyBytes``.
    private static func collectBody(_ request: Request) async throws(InteractError) -> [UInt8] {
        let limitMessage = "request body larger than \(maxBodyBytes / 1024) KB"
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            throw .tooLarge(limitMessage)
        }
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw .tooLarge(limitMessage)
        } catch {
            throw .badRequest("could not read the request body: \(error)")
        }
    }

    /// `state` with one more member at the end.
    private static func merge(_ state: JSON, _ member: (String, JSON)) -> JSON {
        guard case .object(let pairs) = state else { return state }
        return .object(pairs + [member])
    }

    /// `X-Frame-Options`, which no other page may override by framing this one.
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    /// `Host`, as a header field (only a second one stays one).
    static let host = HTTPField.Name("Host")!
    /// `X-Content-Type-Options`.
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!

    /// Headers every answer carries: no caching, no framing by other pages, no type sniffing.
    static func commonHeaders(contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        headers[frameOptions] = "DENY"
        headers[contentTypeOptions] = "nosniff"
        return headers
    }

    /// A JSON answer that no cache keeps and no page frames.
    static func jsonResponse(_ json: JSON, status: HTTPResponse.Status = .ok) -> Response {
        var headers = commonHeaders(contentType: "application/json; charset=utf-8")
        headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json.description)))
    }

    /// `{"error":"..."}` with the error's status (500 for errors that are not ``InteractError``).
    static func errorResponse(_ error: any Error) -> Response {
        let refusal = error as? InteractError
            ?? InteractError(status: .internalServerError, message: "internal error: \(error)")
        return jsonResponse(.object(["error": .string(refusal.message)]), status: refusal.status)
    }

    /// The page, with a policy that lets it load nothing from elsewhere and be framed by no one.
    static func pageResponse() -> Response {
        var headers = commonHeaders(contentType: "text/html; charset=utf-8")
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; "
            + "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: InteractPage.html)))
    }
}
