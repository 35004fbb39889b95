/// Stops with `message` when `condition` is false, in every build configuration.
///
/// Used for misuse of an API by the program itself (mismatched shapes, bad axes, a value the
/// caller was required to check), which is a programming error; anything that comes from a
/// file, a flag or a request is checked where it is read and thrown as a typed error instead.
/// Unlike `precondition`, the message is printed in optimised builds too. Visible to the
/// package's other targets (`slope`, `SlopeInteract`), not to library users.
@inline(__always)
package func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// Stops with `message`, in every build configuration: ``require(_:_:)`` for a path that cannot
/// go on at all (an abstract method called, an invariant of the program broken).
package func requireFailure(_ message: @autoclosure () -> String) -> Never {
    fatalError(message())
}
