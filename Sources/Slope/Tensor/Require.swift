/// Stops with `message` when `condition` is false, in every build configuration.
///
/// Used for misuse of the math API (mismatched shapes, bad axes), which is a programming error.
/// Unlike `precondition`, the message is printed in optimised builds too.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
