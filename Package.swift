// swift-tools-version:6.0
import PackageDescription

/// Release builds skip exclusivity checks in the hot loops; behaviour is otherwise unchanged.
let fast: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Slope",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Slope", targets: ["Slope"]),
        .executable(name: "slope", targets: ["slope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own NIO packages: the interact server's connection guard is a NIO channel handler.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .target(name: "CSlope", cSettings: [.unsafeFlags(["-O3"])]),
        .target(
            name: "CImageCodecs",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z")]
        ),
        .target(name: "Slope", dependencies: ["CSlope", "CImageCodecs"], swiftSettings: fast, linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "SlopeInteract",
            dependencies: [
                "Slope", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "slope",
            dependencies: ["Slope", "SlopeInteract", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: fast
        ),
        .testTarget(name: "SlopeTests", dependencies: ["Slope"]),
        .testTarget(
            name: "SlopeInteractTests",
            dependencies: ["SlopeInteract", "Slope", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        // Runs the built `slope` binary as a child process on hostile inputs (slow, process-heavy).
        .testTarget(name: "AdversarialTests", dependencies: ["Slope"]),
    ],
    swiftLanguageModes: [.v6]
)
