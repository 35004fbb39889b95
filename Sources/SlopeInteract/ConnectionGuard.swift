import Foundation
import NIOCore
import NIOHTTPTypes

/// How many connections the interact server keeps, and for how long a connection may take to
/// send its request.
///
/// A connection must deliver a whole request (head and body) within ``requestTimeout`` of
/// opening, or of the previous response; otherwise it is closed, so half-sent heads (one byte a
/// second) and idle sockets cannot pile up. At most ``maxConnections`` are open at once; a new
/// connection past that closes the oldest one that is waiting for a request (or itself, when
/// every connection is busy), so a flood of idle sockets never keeps the page from answering and
/// never runs the process out of descriptors.
///
/// ```swift
/// let limits = ConnectionLimits(maxConnections: 256, requestTimeout: .seconds(10))
/// ```
public struct ConnectionLimits: Sendable {
    /// The most connections open at once.
    public var maxConnections: Int
    /// How long a connection may take to send one whole request.
    public var requestTimeout: TimeAmount

    /// The limits; `maxConnections` is lowered to fit the process's descriptor limit (less 64
    /// for files and the listening socket).
    ///
    /// ```swift
    /// let limits = ConnectionLimits()  // 256 connections, 10 s per request
    /// ```
    /// - Parameters:
    ///   - maxConnections: the most connections open at once.
    ///   - requestTimeout: the time a connection has to send one whole request.
    public init(maxConnections: Int = 256, requestTimeout: TimeAmount = .seconds(10)) {
        var limit = rlimit()
        #if os(Linux)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        let descriptors = getrlimit(resource, &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
        self.maxConnections = Swift.max(1, Swift.min(maxConnections, descriptors - 64))
        self.requestTimeout = requestTimeout
    }
}

/// The open connections, oldest first, with whether each is waiting for a request.
final class ConnectionRegistry: @unchecked Sendable {
    private struct Entry {
        let channel: any Channel
        var waiting: Bool
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: (order: UInt64, entry: Entry)] = [:]
    private var next: UInt64 = 0
    let limits: ConnectionLimits

    init(limits: ConnectionLimits) { self.limits = limits }

    /// Registers `channel`; returns the channel to close to stay within the limit, if any.
    func open(_ channel: any Channel) -> (any Channel)? {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        entries[ObjectIdentifier(channel)] = (next, Entry(channel: channel, waiting: true))
        guard entries.count > limits.maxConnections else { return nil }
        let victim = entries.filter { $0.value.entry.waiting && $0.key != ObjectIdentifier(channel) }.min { $0.value.order < $1.value.order }
        let chosen = victim?.value.entry.channel ?? channel
        entries[ObjectIdentifier(chosen)] = nil
        return chosen
    }

    /// Marks `channel` as handling a request (`waiting: false`) or waiting for the next one.
    func mark(_ channel: any Channel, waiting: Bool) {
        lock.lock()
        defer { lock.unlock() }
        entries[ObjectIdentifier(channel)]?.entry.waiting = waiting
    }

    /// Forgets `channel`.
    func close(_ channel: any Channel) {
        lock.lock()
        defer { lock.unlock() }
        entries[ObjectIdentifier(channel)] = nil
    }

    /// The number of open connections.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}

/// Enforces ``ConnectionLimits`` on one connection: sits after the HTTP decoder, sees each
/// request's parts and each response's end.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private var deadline: Scheduled<Void>?
    private var registered = false

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop(context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: registry.mark(context.channel, waiting: false)
        case .body: break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            registry.mark(context.channel, waiting: true)
            schedule(context)
        }
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if let victim = registry.open(context.channel) {
            victim.close(promise: nil)
            if victim === context.channel { return }
        }
        schedule(context)
    }

    private func stop(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if registered { registry.close(context.channel) }
    }

    /// Closes the connection unless a whole request arrives within the timeout.
    private func schedule(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: registry.limits.requestTimeout) {
            channel.close(promise: nil)
        }
    }
}
