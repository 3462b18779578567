// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "jaas",
    // macOS 15 for Synchronization's Mutex and Atomic (Linux has no such floor).
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Jsonnet", targets: ["Jsonnet"]),
        .library(name: "JaaSCore", targets: ["JaaSCore"]),
        .library(name: "JaaSRenderer", targets: ["JaaSRenderer"]),
        .library(name: "Kubernetes", targets: ["Kubernetes"]),
        .library(name: "KubeTestServer", targets: ["KubeTestServer"]),
        .executable(name: "jsonnet", targets: ["jsonnet"]),
        .executable(name: "jaas", targets: ["jaas"]),
        .executable(name: "kube-test-server", targets: ["kube-test-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", exact: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", exact: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        // The admission webhook's self-signed CA and serving certificate.
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", exact: "1.7.4"),
        // Tracing: the Tracing API for library targets, swift-otel (OTLP/gRPC only) for the binary.
        .package(url: "https://github.com/apple/swift-distributed-tracing", exact: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel", exact: "1.6.0", traits: ["OTLPGRPC"]),
    ],
    targets: [
        // The engine: no server dependencies, so it builds and tests fast.
        .target(
            name: "Jsonnet",
            // GoFormats: Go's quoting, for the messages that quote a YAML value as Go does.
            dependencies: ["GoFormats", .product(name: "Yams", package: "Yams")],
            // The interpreter's hot paths touch class fields constantly; dynamic
            // exclusivity checks cost ~10% of its instructions in release builds.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(name: "jsonnet", dependencies: ["Jsonnet"]),
        // Go's value syntaxes (durations) as flags, custom resources and CEL write them.
        .target(name: "GoFormats"),
        .executableTarget(name: "jsonnet-bench", dependencies: ["Jsonnet"]),
        .target(
            name: "JaaSArtifacts",
            dependencies: [
                // The S3 flags' rules (FlagError).
                "GoFormats",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                // S3 storage (S3/): the client, SigV4 and AWS credentials.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
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
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // What the renderer and the operator share: importer, render cache, evaluation gate.
        .target(name: "JaaSCore", dependencies: ["GoFormats", "Jsonnet"]),
        // Log lines in the shapes of Go's log/slog (the original's), for every server.
        .target(name: "JaaSLogging", dependencies: ["GoFormats", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "JaaSRenderer",
            dependencies: [
                "GoFormats", "JaaSCore", "Jsonnet",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .executableTarget(
            name: "jaas",
            dependencies: [
                "GoFormats",
                "JaaSAdmission",
                "JaaSArtifacts",
                "JaaSConsole",
                "JaaSCore",
                "JaaSLogging",
                "JaaSMCP",
                "JaaSOperator",
                "JaaSRenderer",
                "Jsonnet",
                "Kubernetes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The custom resources' API: the JsonnetSnippet model, resource names, events.
        // What the operator, its webhook and the MCP snippet tools share.
        .target(name: "JaaSOperatorAPI", dependencies: ["GoFormats", "Kubernetes"]),
        // The validating admission webhook: the rules, AdmissionReviews, the HTTPS server
        // and its certificates (self-signed CA or mounted).
        .target(
            name: "JaaSAdmission",
            dependencies: [
                "GoFormats", "Jsonnet", "JaaSArtifacts", "JaaSCore", "JaaSOperatorAPI", "Kubernetes",
                // The webhook reuses the renderer's connection read/write deadlines and TaskService.
                "JaaSRenderer",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .target(
            name: "JaaSOperator",
            dependencies: [
                "GoFormats", "Jsonnet", "JaaSArtifacts", "JaaSCore", "JaaSOperatorAPI", "Kubernetes",
                // The storage server's connection deadlines; TaskService for the operator's services.
                "JaaSRenderer",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The MCP server (issue 14): render tools for `jaas mcp`, snippet tools for `--enable-mcp`.
        .target(
            name: "JaaSMCP",
            dependencies: [
                "GoFormats", "Jsonnet", "JaaSArtifacts", "JaaSCore", "JaaSOperatorAPI", "Kubernetes",
                // The HTTP server's connection deadlines and TaskService.
                "JaaSRenderer",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The web console (issue 26): server-rendered pages over the snippet tools and the renderer.
        .target(
            name: "JaaSConsole",
            dependencies: [
                "GoFormats", "Jsonnet", "JaaSArtifacts", "JaaSCore", "JaaSMCP", "JaaSOperatorAPI", "JaaSRenderer", "Kubernetes",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "KubeTestServer",
            dependencies: [
                // The patch types and Go durations the client and kube-test-server share.
                "GoFormats", "Kubernetes",
                // Validating admission webhooks are called over TLS.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
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
        .testTarget(name: "JsonnetTests", dependencies: ["Jsonnet", "TestSupport"]),
        .testTarget(name: "GoFormatsTests", dependencies: ["GoFormats"]),
        .testTarget(name: "JaaSArtifactsTests", dependencies: ["JaaSArtifacts", "TestSupport"]),
        .testTarget(name: "JaaSCoreTests", dependencies: ["GoFormats", "JaaSCore", "Jsonnet", "TestSupport"]),
        .testTarget(name: "JaaSLoggingTests", dependencies: ["JaaSLogging", .product(name: "Logging", package: "swift-log")]),
        // What the test targets share: the built-products locator, temporary directories.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "JaaSRendererTests",
            dependencies: [
                "JaaSCore", "JaaSRenderer", "Jsonnet", "TestSupport", "jaas",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The `jaas` executable's flags, against the built binary and in process.
        .testTarget(
            name: "JaaSExecutableTests",
            dependencies: ["jaas", "GoFormats", "JaaSAdmission", "JaaSArtifacts", "JaaSRenderer", "TestSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "JaaSOperatorTests",
            dependencies: [
                "GoFormats", "JaaSAdmission", "JaaSOperator", "JaaSArtifacts", "JaaSCore", "Jsonnet", "Kubernetes", "KubeTestServer",
                "TestSupport", "jaas",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .testTarget(
            name: "JaaSConsoleTests",
            dependencies: [
                "JaaSConsole", "JaaSCore", "JaaSMCP", "JaaSRenderer", "Jsonnet", "Kubernetes", "TestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "JaaSMCPTests",
            dependencies: [
                "GoFormats", "JaaSMCP", "JaaSCore", "Jsonnet", "Kubernetes", "KubeTestServer",
                .product(name: "MCP", package: "swift-sdk"),
            ]
        ),
        .testTarget(
            name: "KubernetesTests",
            dependencies: [
                "Kubernetes", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "KubeTestServerTests",
            dependencies: [
                "KubeTestServer", "Kubernetes", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)
