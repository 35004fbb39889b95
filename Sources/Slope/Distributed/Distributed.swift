import Foundation
import Synchronization

/// Data-parallel training over MPI: start the world once, then every ``Learner`` fit shards
/// each global batch across the ranks, sums the gradients over them, and reduces the metrics.
///
/// Without `mpiexec` (or without an MPI library), ``start(timeout:)`` returns a world of one
/// and training is unchanged. Under `mpiexec -n 4 slope train ...` (or your own program run the
/// same way) it initialises MPI, loaded at run time from MPICH's `libmpi.so.12` /
/// `libmpich.so.12`, or the file `SLOPE_MPI` names.
///
/// ```swift
/// let world = try Distributed.start()            // rank, size; a world of one without MPI
/// learner.fitOneCycle(epochs: 5, maxLR: 1e-2)    // the Learner shards, all-reduces, and syncs
/// if world.isLeader { try learner.export(to: "model.slope") }
/// ```
public enum Distributed {
    /// Seconds a collective waits for the other ranks unless `SLOPE_MPI_TIMEOUT` or
    /// ``start(timeout:)`` says otherwise.
    public static let defaultTimeout: Double = 120

    private static let started = Mutex<World?>(nil)

    /// The world the Learner trains in: the started one, or ``World/single`` before
    /// ``start(timeout:)``.
    public static var world: World { started.withLock { $0 } ?? .single }

    /// The MPI library Slope would use (`MPICH Version: 4.0.2 (libmpich.so.12)`), found or not
    /// launched; nil when none loads.
    public static var libraryName: String? { MPILibrary.shared?.name }

    /// How many processes the launcher (`mpiexec`) says this run has, from its environment
    /// (`PMI_SIZE`, Open MPI's `OMPI_COMM_WORLD_SIZE`); nil when not launched by one.
    public static var launchedSize: Int? {
        let environment = ProcessInfo.processInfo.environment
        for key in ["PMI_SIZE", "OMPI_COMM_WORLD_SIZE"] {
            if let value = environment[key], let size = Int(value), size >= 1 { return size }
        }
        return environment["PMI_RANK"] != nil || environment["PMIX_RANK"] != nil ? 1 : nil
    }

    /// Starts the world once (later calls return the same world): under `mpiexec`, initialises
    /// MPI and reads this process's rank and the world's size; otherwise a world of one.
    ///
    /// - Parameter timeout: seconds a collective may wait for the other ranks before the run
    ///   ends; `SLOPE_MPI_TIMEOUT` overrides it, ``defaultTimeout`` without either.
    /// - Returns: the world.
    /// - Throws: ``DistributedError`` when launched by `mpiexec` but no MPICH-ABI library loads
    ///   (or it is Open MPI's), MPI fails to start, its size disagrees with the launcher's, or
    ///   `SLOPE_MPI_TIMEOUT` is not a positive number.
    ///
    /// ```swift
    /// let world = try Distributed.start(timeout: 30)
    /// ```
    @discardableResult
    public static func start(timeout: Double? = nil) throws(DistributedError) -> World {
        let seconds = try resolvedTimeout(timeout)
        if let world = started.withLock({ $0 }) { return world }
        guard let launched = launchedSize else {
            return remember(World(rank: 0, size: 1, library: nil, timeout: seconds))
        }
        let environment = ProcessInfo.processInfo.environment
        if environment["OMPI_COMM_WORLD_SIZE"] != nil {
            throw DistributedError("this process was started by Open MPI's mpiexec; Slope supports MPICH's ABI only "
                + "(MPICH, Intel MPI, MVAPICH): run it with MPICH's mpiexec (`mpiexec.mpich`, package mpich)")
        }
        guard let mpi = MPILibrary.shared else {
            let tried = MPILibrary.candidates.joined(separator: ", ")
            let openMPI = MPILibrary.candidates.contains(where: MPILibrary.isOpenMPI)
            throw DistributedError("launched by mpiexec as one of \(launched) processes, but "
                + (openMPI ? "\(tried) is Open MPI, whose ABI Slope does not support; use MPICH (package mpich)"
                    : "no MPI library with MPICH's ABI loads (tried \(tried.isEmpty ? "none: SLOPE_MPI=none" : tried)); "
                    + "install MPICH (apt-get install mpich) or set SLOPE_MPI to its libmpi.so.12"))
        }
        var initialized: Int32 = 0
        _ = mpi.initialized(&initialized)
        if initialized == 0 {
            var provided: Int32 = 0
            let status = mpi.initThread(nil, nil, MPILibrary.threadSerialized, &provided)
            guard status == MPILibrary.success else {
                throw DistributedError("MPI_Init_thread failed with error \(status) in \(mpi.name)")
            }
            atexit { MPILibrary.finalizeIfNeeded() }
        }
        // Errors come back to Slope, which names the rank and what it was doing, then aborts every rank.
        _ = mpi.setErrorHandler(MPILibrary.commWorld, MPILibrary.errorsReturn)
        var rank: Int32 = 0, size: Int32 = 0
        _ = mpi.commRank(MPILibrary.commWorld, &rank)
        _ = mpi.commSize(MPILibrary.commWorld, &size)
        guard Int(size) == launched else {
            throw DistributedError("mpiexec started \(launched) processes but \(mpi.name) sees a world of \(size): "
                + "the mpiexec and the library belong to different MPI installations")
        }
        return remember(World(rank: Int(rank), size: Int(size), library: mpi.name, timeout: seconds))
    }

    private static func remember(_ world: World) -> World {
        started.withLock { current in
            if current == nil { current = world }
            return current!
        }
    }

    /// The timeout from `SLOPE_MPI_TIMEOUT`, else `requested`, else ``defaultTimeout``.
    static func resolvedTimeout(_ requested: Double?) throws(DistributedError) -> Double {
        if let text = ProcessInfo.processInfo.environment["SLOPE_MPI_TIMEOUT"] {
            guard let value = Double(text), value.isFinite, value > 0 else {
                throw DistributedError("SLOPE_MPI_TIMEOUT must be a positive number of seconds, got `\(text)`")
            }
            return value
        }
        if let requested {
            guard requested.isFinite, requested > 0 else {
                throw DistributedError("the collective timeout must be a positive number of seconds, got \(requested)")
            }
            return requested
        }
        return defaultTimeout
    }
}

extension MPILibrary {
    /// `MPI_Finalize` at exit, once, when MPI was initialised and not yet finalised.
    static func finalizeIfNeeded() {
        guard let mpi = shared else { return }
        var done: Int32 = 0
        _ = mpi.finalized(&done)
        if done == 0 { _ = mpi.finalize() }
    }
}
