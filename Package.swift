// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "jaas",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Jsonnet", targets: ["Jsonnet"]),
        .library(name: "Kubernetes", targets: ["Kubernetes"]),
        .library(name: "KubeTestServer", targets: ["KubeTestServer"]),
        .executable(name: "jsonnet", targets: ["jsonnet"]),
        .executable(name: "kube-test-server", targets: ["kube-test-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", exact: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
    ],
    targets: [
        // The engine: no server dependencies, so it builds and tests fast.
        .target(
            name: "Jsonnet",
            dependencies: [.product(name: "Yams", package: "Yams")],
            // The interpreter's hot paths touch class fields constantly; dynamic
            // exclusivity checks cost ~10% of its instructions in release builds.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(name: "jsonnet", dependencies: ["Jsonnet"]),
        .executableTarget(name: "jsonnet-bench", dependencies: ["Jsonnet"]),
        .target(
            name: "JaaSArtifacts",
            dependencies: [
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Kubernetes",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "JaaSOperator",
            dependencies: [
                "Jsonnet", "JaaSArtifacts", "Kubernetes",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KubeTestServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "kube-test-server",
            dependencies: [
                "KubeTestServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "JsonnetTests", dependencies: ["Jsonnet"]),
        .testTarget(name: "JaaSArtifactsTests", dependencies: ["JaaSArtifacts"]),
        .testTarget(
            name: "JaaSOperatorTests",
            dependencies: [
                "JaaSOperator", "JaaSArtifacts", "Jsonnet", "Kubernetes", "KubeTestServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "KubernetesTests",
            dependencies: [
                "Kubernetes",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "KubeTestServerTests",
            dependencies: [
                "KubeTestServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)
