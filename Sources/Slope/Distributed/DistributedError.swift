/// Why a distributed world could not start: MPI missing or refused under `mpiexec`, or an
/// unsupported MPI library.
///
/// ```swift
/// do { _ = try Distributed.start() } catch { print(error) }   // names the library and the fix
/// ```
public struct DistributedError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong and what to do about it.
    public let message: String

    /// Makes the error.
    ///
    /// - Parameter message: what went wrong and what to do about it.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
