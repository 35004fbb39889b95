#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// MARK: - Runtime loading

/// An MPI library opened with `dlopen` when a world starts, so Slope has no build-time MPI
/// dependency (like ``BLAS``): the package builds and runs without MPI, as a world of one.
///
/// Only MPICH's ABI is supported (MPICH, Intel MPI, MVAPICH: `libmpi.so.12`, Debian's
/// `libmpich.so.12`), in which handles are C `int`s with fixed values from MPICH's `mpi.h`.
/// Open MPI (`libmpi.so.40`) passes handles as pointers to its own global objects and is not
/// loaded: `SLOPE_MPI` naming it gives a clear error.
/// Immutable after `load()`; C function pointers may be called from any thread.
final class MPILibrary: @unchecked Sendable {
    typealias Handle = Int32
    typealias Request = Int32
    typealias InitThread = @convention(c) (
        UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?, Int32,
        UnsafeMutablePointer<Int32>?
    ) -> Int32
    typealias Flag = @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32
    typealias CommInt = @convention(c) (Handle, UnsafeMutablePointer<Int32>?) -> Int32
    typealias Iallreduce = @convention(c) (
        UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle, UnsafeMutablePointer<Request>?
    ) -> Int32
    typealias Test = @convention(c) (UnsafeMutablePointer<Request>?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32
    typealias Abort = @convention(c) (Handle, Int32) -> Int32
    typealias Finalize = @convention(c) () -> Int32
    typealias SetErrorHandler = @convention(c) (Handle, Handle) -> Int32
    typealias LibraryVersion = @convention(c) (UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> Int32

    // MPICH ABI constants (mpi.h of MPICH 4.0.2, Debian's libmpich-dev).
    /// `MPI_COMM_WORLD`.
    static let commWorld: Handle = 0x4400_0000
    /// `MPI_FLOAT`.
    static let float: Handle = 0x4C00_040A
    /// `MPI_DOUBLE`.
    static let double: Handle = 0x4C00_080B
    /// `MPI_SUM`.
    static let sum: Handle = 0x5800_0003
    /// `MPI_ERRORS_RETURN`: failed calls return an error code (Slope then names the rank and aborts).
    static let errorsReturn: Handle = 0x5400_0001
    /// `MPI_THREAD_SERIALIZED`: calls come from one thread at a time.
    static let threadSerialized: Int32 = 2
    /// `MPI_SUCCESS`.
    static let success: Int32 = 0
    /// `MPI_STATUS_IGNORE`, the pointer value 1.
    static var statusIgnore: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: 1) }
    /// `MPI_MAX_LIBRARY_VERSION_STRING`.
    static let maxLibraryVersion = 8192

    /// The file name it was opened by, e.g. `libmpich.so.12`.
    let file: String
    let initThread: InitThread
    let initialized: Flag
    let finalized: Flag
    let commRank: CommInt
    let commSize: CommInt
    let iallreduce: Iallreduce
    let test: Test
    let abort: Abort
    let finalize: Finalize
    let setErrorHandler: SetErrorHandler
    /// The first line of `MPI_Get_library_version`, e.g. `MPICH Version: 4.0.2`.
    let version: String

    private init?(file: String, handle: UnsafeMutableRawPointer) {
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let initThread = symbol("MPI_Init_thread", as: InitThread.self),
              let initialized = symbol("MPI_Initialized", as: Flag.self),
              let finalized = symbol("MPI_Finalized", as: Flag.self),
              let commRank = symbol("MPI_Comm_rank", as: CommInt.self),
              let commSize = symbol("MPI_Comm_size", as: CommInt.self),
              let iallreduce = symbol("MPI_Iallreduce", as: Iallreduce.self),
              let test = symbol("MPI_Test", as: Test.self),
              let abort = symbol("MPI_Abort", as: Abort.self),
              let finalize = symbol("MPI_Finalize", as: Finalize.self),
              let libraryVersion = symbol("MPI_Get_library_version", as: LibraryVersion.self),
              let setErrorHandler = symbol("MPI_Comm_set_errhandler", as: SetErrorHandler.self)
        else { return nil }
        self.file = file
        self.initThread = initThread
        self.initialized = initialized
        self.finalized = finalized
        self.commRank = commRank
        self.commSize = commSize
        self.iallreduce = iallreduce
        self.test = test
        self.abort = abort
        self.finalize = finalize
        self.setErrorHandler = setErrorHandler
        var text = [CChar](repeating: 0, count: Self.maxLibraryVersion + 1)
        var length: Int32 = 0
        _ = libraryVersion(&text, &length)
        let full = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "MPICH Version:      4.0.2\nMPICH Release date: ..." -> "MPICH Version: 4.0.2"
        let first = full.split(whereSeparator: \.isNewline).first.map(String.init) ?? "MPI"
        version = first.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The library, or nil when none of ``candidates`` opens with every function Slope calls.
    static let shared: MPILibrary? = load()

    /// Library names to try, in order: `$SLOPE_MPI` when set (`none` or empty: no MPI), else
    /// MPICH's ABI names.
    static var candidates: [String] {
        if let custom = getenv("SLOPE_MPI").map({ String(cString: $0) }) {
            return custom.isEmpty || custom == "none" ? [] : [custom]
        }
        return ["libmpi.so.12", "libmpich.so.12", "libmpich.so", "libmpich.12.dylib"]
    }

    private static func load() -> MPILibrary? {
        for file in candidates {
            // RTLD_GLOBAL: MPICH loads its own plugins (network providers), which look up its symbols.
            guard let handle = dlopen(file, RTLD_NOW | RTLD_GLOBAL) else { continue }
            // Open MPI's handles are pointers to its own objects; its ABI is not the one used here.
            if dlsym(handle, "ompi_mpi_comm_world") != nil {
                dlclose(handle)
                continue
            }
            if let library = MPILibrary(file: file, handle: handle) { return library }
            dlclose(handle)
        }
        return nil
    }

    /// Whether `file` is an Open MPI library (its ABI is not supported), for the error message.
    static func isOpenMPI(_ file: String) -> Bool {
        guard let handle = dlopen(file, RTLD_LAZY | RTLD_LOCAL) else { return false }
        defer { dlclose(handle) }
        return dlsym(handle, "ompi_mpi_comm_world") != nil
    }

    /// The library's name for messages: `MPICH Version: 4.0.2 (libmpich.so.12)`.
    var name: String {
        let fileName = file.split(separator: "/").last.map(String.init) ?? file
        return "\(version) (\(fileName))"
    }
}
