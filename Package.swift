// swift-tools-version:6.1
import PackageDescription

/// Slope's version: `SlopeLibrary.version` (what `slope info` prints and every exported model
/// file records) is read from here. A release sets it, adds a CHANGELOG section, and pushes the
/// same tag (`git tag 0.1.0`).
let version = "0.1.0"

let package = Package(
    name: "Slope",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Slope", targets: ["Slope"]),
        .executable(name: "slope", targets: ["slope"]),
    ],
    // `Interact` (on by default) brings `slope interact` and the Hummingbird server it runs on.
    // A package that uses only the `Slope` library builds none of it; one that depends on Slope
    // with `traits: []` does not even resolve Hummingbird's packages. In this package's own
    // build, the SlopeInteract target and its tests need the trait; without it
    // (`swift build --disable-default-traits --product slope`) the CLI has no `interact`.
    traits: [
        .trait(
            name: "Interact",
            description: "`slope interact`, the local web page for fitting by hand (builds the Hummingbird server)."),
        .default(enabledTraits: ["Interact"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own NIO and HTTP types: the interact server's connection guard is a NIO channel handler.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // The system's image and compression libraries, found through pkg-config; a missing one
        // makes SwiftPM name the package that provides it.
        .systemLibrary(
            name: "CLibPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(
            name: "CLibJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "CSlope", cSettings: [.define("SLOPE_VERSION", to: "\"\(version)\"")]),
        .target(name: "CImageCodecs", dependencies: ["CLibPNG", "CLibJPEG", "CZlib"]),
        .target(
            name: "Slope", dependencies: ["CSlope", "CImageCodecs", "CZlib"],
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "SlopeInteract",
            dependencies: [
                "Slope",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Interact"])),
                .product(name: "HummingbirdCore", package: "hummingbird", condition: .when(traits: ["Interact"])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["Interact"])),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras", condition: .when(traits: ["Interact"])),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: .when(traits: ["Interact"])),
            ],
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/style.css"), .embedInCode("Page/script.js")]),
        .executableTarget(
            name: "slope",
            dependencies: [
                "Slope",
                .target(name: "SlopeInteract", condition: .when(traits: ["Interact"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Data/TITANIC.md"],
            resources: [.embedInCode("Data/titanic.csv")]),
        .testTarget(name: "SlopeTests", dependencies: ["Slope"]),
        .testTarget(
            name: "SlopeInteractTests",
            dependencies: [
                "SlopeInteract", "Slope",
                .product(name: "HummingbirdTesting", package: "hummingbird", condition: .when(traits: ["Interact"])),
            ]),
        // Runs the built `slope` binary as a child process on hostile inputs (slow, process-heavy).
        .testTarget(name: "AdversarialTests", dependencies: ["Slope"]),
        // Runs the built `slope` under `mpiexec -n 2` and `-n 3` (MPICH) on loopback: data-parallel
        // training equal to one process, faults, and the world of one without MPI.
        .testTarget(name: "DistributedTests", dependencies: ["Slope"]),
    ],
    swiftLanguageModes: [.v6]
)

// The documentation plugin (`swift package generate-documentation`) only when asked for, so that
// packages depending on Slope never resolve it: `SLOPE_DOCS=1 swift package ...`.
if Context.environment["SLOPE_DOCS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}
