import Slope

/// Image data for `slope train --images` (folders of PNG/JPEG or IDX files).
enum ImageDataCommandSupport {
    static func load(_ options: DataOptions) throws -> DataLoaders {
        throw CommandError("image training is not available in this build yet")
    }

    static func learner(_ data: DataLoaders, seed: UInt64) throws -> Learner {
        throw CommandError("image training is not available in this build yet")
    }
}
