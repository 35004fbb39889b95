import CSlope
import Foundation

/// The processes that train together: this process's rank and how many there are. A world of
/// one (rank 0 of 1) is what runs without `mpiexec` or without an MPI library; its collectives
/// do nothing.
///
/// Every collective has a deadline: MPI's own calls wait forever for a rank that died or a host
/// that vanished, so Slope starts each one non-blocking (`MPI_Iallreduce`), polls it
/// (`MPI_Test`), and past ``timeout`` seconds prints which rank gave up on what and ends the
/// whole run with `MPI_Abort`.
///
/// ```swift
/// let world = try Distributed.start()
/// print("rank \(world.rank) of \(world.size)")
/// var values: [Float] = [Float(world.rank)]
/// world.allReduceSum(&values, what: "a test sum")   // 0 + 1 + ... + (size - 1) on every rank
/// ```
public struct World: Sendable, Equatable {
    /// This process's index, `0..<size`; rank 0 prints and writes files.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// The MPI library the world runs on (`MPICH Version: 4.0.2 (libmpich.so.12)`), or nil for a
    /// world of one without MPI.
    public let library: String?
    /// Seconds a collective may wait for the other ranks before the run is ended.
    public let timeout: Double

    /// The world of one: rank 0 of 1, no MPI.
    public static let single = World(rank: 0, size: 1, library: nil, timeout: Distributed.defaultTimeout)

    /// Whether this process is rank 0, the one that prints progress and writes the export.
    public var isLeader: Bool { rank == 0 }

    /// Whether more than one process trains.
    public var isDistributed: Bool { size > 1 }

    /// Replaces `values` by their element-wise sum over every rank (the same result on each).
    ///
    /// - Parameters:
    ///   - values: this rank's values, the same count on every rank; the sums on return.
    ///   - what: what is being summed, for the message if a rank stops answering.
    public func allReduceSum(_ values: inout [Float], what: String) {
        guard isDistributed, !values.isEmpty else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            allReduceSum([UnsafeMutableRawBufferPointer(buffer)], type: MPILibrary.float, what: what)
        }
    }

    /// Replaces `values` by their element-wise sum over every rank (the same result on each).
    ///
    /// - Parameters:
    ///   - values: this rank's values, the same count on every rank; the sums on return.
    ///   - what: what is being summed, for the message if a rank stops answering.
    public func allReduceSum(_ values: inout [Double], what: String) {
        guard isDistributed, !values.isEmpty else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            allReduceSum([UnsafeMutableRawBufferPointer(buffer)], type: MPILibrary.double, what: what)
        }
    }

    /// Sums each buffer over every rank in place: all reductions are started at once, then
    /// waited for together, under one deadline.
    func allReduceSum(_ buffers: [UnsafeMutableRawBufferPointer], type: MPILibrary.Handle, what: String) {
        guard isDistributed else { return }
        var requests = buffers.compactMap { startAllReduceSum($0, type: type, what: what) }
        wait(for: &requests, what: what)
    }

    /// Starts summing `buffer` (of `MPI_FLOAT` or `MPI_DOUBLE` values) over every rank in place;
    /// the buffer must stay alive and untouched until ``wait(for:what:)`` returns. Returns nil
    /// (nothing to wait for) for an empty buffer or a world of one.
    func startAllReduceSum(_ buffer: UnsafeMutableRawBufferPointer, type: MPILibrary.Handle, what: String) -> MPILibrary.Request? {
        guard isDistributed, buffer.count > 0, let mpi = MPILibrary.shared else { return nil }
        let elementSize = type == MPILibrary.double ? 8 : 4
        guard let count = Int32(exactly: buffer.count / elementSize) else {
            fail("\(what): \(buffer.count / elementSize) values are more than MPI's 32-bit count allows")
        }
        var request: MPILibrary.Request = 0
        // MPI_IN_PLACE is the pointer value -1.
        let status = mpi.iallreduce(UnsafeRawPointer(bitPattern: -1), buffer.baseAddress, count, type, MPILibrary.sum,
                                    MPILibrary.commWorld, &request)
        if status != MPILibrary.success { fail("\(what): MPI_Iallreduce failed with error \(status)") }
        return request
    }

    /// Polls the requests until all are done or the deadline (``timeout`` from now) passes;
    /// spins briefly first (a small all-reduce takes microseconds), then sleeps between polls,
    /// longer each time.
    func wait(for requests: inout [MPILibrary.Request], what: String) {
        guard let mpi = MPILibrary.shared, !requests.isEmpty else { return }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        var pending = [Bool](repeating: true, count: requests.count)
        var polls = 0, pause: UInt32 = 10
        while true {
            for index in pending.indices where pending[index] {
                var done: Int32 = 0
                let status = requests.withUnsafeMutableBufferPointer { mpi.test($0.baseAddress! + index, &done, MPILibrary.statusIgnore) }
                if status != MPILibrary.success { fail("\(what): MPI_Test failed with error \(status)") }
                if done != 0 { pending[index] = false }
            }
            guard pending.contains(true) else { return }
            polls += 1
            // A waiting rank sleeps (10 µs, doubling up to 1 ms) so it does not take a core from ranks still computing.
            if polls > 200 {
                usleep(pause)
                pause = Swift.min(pause * 2, 1000)
            }
            if polls % 64 == 0, DispatchTime.now().uptimeNanoseconds > deadline {
                fail("\(what) did not finish within \(Self.format(timeout)) s: another rank has probably died or its host "
                    + "is unreachable (set SLOPE_MPI_TIMEOUT to wait longer)")
            }
        }
    }

    /// Prints `message` on standard error, naming this rank, and ends every rank of the run.
    ///
    /// Under `mpiexec` standard error is a pipe to MPI's process manager, and `MPI_Abort` can make
    /// it kill everything before it has read and forwarded the message; so the message is first
    /// left to drain (at most two seconds).
    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("slope: rank \(rank) of \(size): \(message); ending the whole run.\n".utf8))
        slope_drain_output(STDERR_FILENO, 2000)
        if let mpi = MPILibrary.shared { _ = mpi.abort(MPILibrary.commWorld, 1) }
        exit(1)
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
