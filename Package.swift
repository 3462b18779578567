// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "jaas",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Jsonnet", targets: ["Jsonnet"]),
        .executable(name: "jsonnet", targets: ["jsonnet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .target(
            name: "Jsonnet",
            dependencies: [.product(name: "Yams", package: "Yams")],
            // The interpreter's hot paths touch class fields constantly; dynamic
            // exclusivity checks cost ~10% of its instructions in release builds.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(name: "jsonnet", dependencies: ["Jsonnet"]),
        .executableTarget(name: "jsonnet-bench", dependencies: ["Jsonnet"]),
        .testTarget(name: "JsonnetTests", dependencies: ["Jsonnet"]),
    ]
)
