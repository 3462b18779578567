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
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(name: "jsonnet", dependencies: ["Jsonnet"]),
        .executableTarget(name: "jsonnet-bench", dependencies: ["Jsonnet"]),
        .testTarget(name: "JsonnetTests", dependencies: ["Jsonnet"]),
    ]
)
