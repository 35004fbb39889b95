#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bound on a size that comes from outside (a file, a flag, a request), checked before memory
/// is taken. Each has a default and an environment variable that replaces it, read once at
/// first use (a whole number of bytes or items; anything else keeps the default).
///
/// ```swift
/// let limit = InputLimits.csvFileBytes
/// print(limit.value, limit.setting)  // 268435456 SLOPE_MAX_CSV_BYTES
/// // SLOPE_MAX_CSV_BYTES=1073741824 slope train big.csv --target y
/// ```
public struct InputLimit: Sendable, CustomStringConvertible {
    /// The largest size accepted.
    public let value: Int
    /// The environment variable that sets ``value``.
    public let setting: String

    /// The limit `setting` gives, else `defaultValue`.
    ///
    /// ```swift
    /// let rows = InputLimit(setting: "SLOPE_MAX_ROWS", default: 1_000_000)
    /// ```
    /// - Parameters:
    ///   - setting: the environment variable's name.
    ///   - defaultValue: the limit when the variable is unset or not a positive whole number.
    public init(setting: String, default defaultValue: Int) {
        self.setting = setting
        if let raw = getenv(setting), let configured = Int(String(cString: raw)), configured > 0 {
            value = configured
        } else {
            value = defaultValue
        }
    }

    /// `VALUE (set SETTING to raise it)`, for error messages.
    public var description: String { "\(value) (set \(setting) to raise it)" }
}

/// Every limit Slope applies to sizes from files and flags (docs/SECURITY.md lists them with
/// their reasons).
///
/// ```swift
/// guard bytes <= InputLimits.csvFileBytes.value else { ... }
/// ```
public enum InputLimits {
    /// The largest CSV file read: 256 MiB.
    public static let csvFileBytes = InputLimit(setting: "SLOPE_MAX_CSV_BYTES", default: 256 << 20)
    /// The largest model file read: 2 GiB.
    public static let modelFileBytes = InputLimit(setting: "SLOPE_MAX_MODEL_BYTES", default: 2 << 30)
    /// The largest PNG or JPEG file read: 256 MiB.
    public static let imageFileBytes = InputLimit(setting: "SLOPE_MAX_IMAGE_FILE_BYTES", default: 256 << 20)
    /// The most pixels (`width × height`) one decoded image may have: 2^26 (8192 × 8192).
    public static let imagePixels = InputLimit(setting: "SLOPE_MAX_IMAGE_PIXELS", default: 1 << 26)
    /// The most elements an IDX file may declare: 2^28 (5.7 times MNIST's 60,000 training images).
    public static let idxElements = InputLimit(setting: "SLOPE_MAX_IDX_ELEMENTS", default: 1 << 28)
    /// The most floats a loaded image set may hold (`images × channels × height × width`): 2^28 (1 GiB).
    public static let imageSetFloats = InputLimit(setting: "SLOPE_MAX_IMAGE_SET_FLOATS", default: 1 << 28)
    /// The most floats one training batch's layer outputs may hold together, for image models: 2^27 (512 MiB).
    public static let batchActivationFloats = InputLimit(setting: "SLOPE_MAX_BATCH_ACTIVATIONS", default: 1 << 27)
    /// The most parameters a model built from flags may have: 2^26 (64 Mi, 256 MiB of weights; about 1 GiB with Adam's state).
    public static let modelParameters = InputLimit(setting: "SLOPE_MAX_PARAMETERS", default: 1 << 26)
    /// The most epochs `slope train` may ask for: 100,000.
    public static let epochs = InputLimit(setting: "SLOPE_MAX_EPOCHS", default: 100_000)
    /// The largest batch a flag may ask for: 2^20 rows or images.
    public static let batchSize = InputLimit(setting: "SLOPE_MAX_BATCH_SIZE", default: 1 << 20)
    /// The most generated points of `slope fit`: 2^24.
    public static let fitPoints = InputLimit(setting: "SLOPE_MAX_POINTS", default: 1 << 24)
    /// The most values one evaluation of a sum of ReLUs may compute (`count × points`): 2^26.
    public static let reluValues = InputLimit(setting: "SLOPE_MAX_RELU_VALUES", default: 1 << 26)
}
