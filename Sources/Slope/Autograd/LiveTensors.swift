import Synchronization

/// Counts tensors alive in this process, in debug builds, so tests can prove that a training
/// step leaves no retain cycles behind. Release builds compile the counting away.
enum LiveTensors {
    #if DEBUG
    private static let counter = Atomic<Int>(0)
    #endif

    @inline(__always) static func created() {
        #if DEBUG
        counter.add(1, ordering: .relaxed)
        #endif
    }

    @inline(__always) static func destroyed() {
        #if DEBUG
        counter.subtract(1, ordering: .relaxed)
        #endif
    }

    /// Tensors currently alive (always 0 in release builds).
    static var count: Int {
        #if DEBUG
        return counter.load(ordering: .relaxed)
        #else
        return 0
        #endif
    }
}
