import Testing

extension FlagTests {
    /// Bad tracing flags (docs/tracing.md) exit 2 with one line naming the flag.
    @Test(arguments: [
        (["--tracing-sample-ratio", "1.5"], "--tracing-sample-ratio"),
        (["--tracing-sample-ratio=-0.1"], "--tracing-sample-ratio"),
        (["--tracing-endpoint", "coll?ector:4317"], "--tracing-endpoint"),
        (["--tracing-sample-ratio", "nan"], "--tracing-sample-ratio"),
        (["--tracing-endpoint", "http://collector:4317"], "--tracing-endpoint"),
        (["--tracing-endpoint", "collector"], "--tracing-endpoint"),
        (["--tracing-endpoint", ":4317"], "--tracing-endpoint"),
        (["--tracing-endpoint", "collector:0"], "--tracing-endpoint"),
        (["--tracing-endpoint", "collector:99999"], "--tracing-endpoint"),
        (["--tracing-endpoint", "::1:4317"], "--tracing-endpoint"),
        (["--tracing-endpoint", "user@collector:4317"], "--tracing-endpoint"),
        (["--tracing-endpoint", "collector:4317", "--tracing-insecure=maybe"], "--tracing-insecure"),
    ])
    func badTracingFlagsExitTwo(arguments: [String], flag: String) async throws {
        let (status, stdout, stderr) = try await runJaaS(arguments)
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr.hasPrefix("jaas: \(flag)"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
    }

    /// Good tracing flags pass validation: the error is about the operator's missing
    /// `--storage-base-url`, checked after them.
    @Test(arguments: [
        ["--tracing-insecure"], ["--tracing-insecure=false"], ["--tracing-endpoint", "collector.monitoring.svc:4317"],
        ["--tracing-endpoint", "[::1]:4317", "--tracing-insecure=true"], ["--tracing-sample-ratio", "0"],
        ["--tracing-sample-ratio", ".25"], ["--tracing-endpoint", ""],
    ])
    func goodTracingFlagsParse(arguments: [String]) async throws {
        let (status, _, stderr) = try await runJaaS(arguments + ["--enable-flux-integration"])
        #expect(status == 2)
        #expect(stderr.hasPrefix("jaas: --storage-base-url"), "\(stderr)")
    }
}
