import ArgumentParser
import GoFormats
import JaaSAdmission
import JaaSArtifacts
import JaaSRenderer
@testable import jaas
import NIOCore
import Testing

/// The defaults the original's users rely on (issue 23), read from the parsed flags
/// in process.
@Suite struct DefaultsTests {
    @Test func storageDeadlinesAreThirtySecondsAndFiveMinutes() throws {
        let options = try CompatibilityOptions.parse([])
        #expect(options.storageReadTimeout == "30s")
        #expect(options.storageWriteTimeout == "5m")
        #expect(FlagValues.duration(options.storageReadTimeout) == .seconds(30))
        #expect(FlagValues.duration(options.storageWriteTimeout) == .seconds(300))
    }

    @Test func theS3RegionIsEmptyAndSignedAsUSEast1() throws {
        let options = try S3Flags.parse([])
        #expect(options.s3Region == "")
        #expect(S3Client.Configuration.signingRegion("") == "us-east-1")
        #expect(S3Client.Configuration.signingRegion("eu-central-1") == "eu-central-1")
        let configuration = S3Client.Configuration(endpoint: "127.0.0.1:9000", bucket: "b", region: options.s3Region,
                                                   credentials: nil)
        #expect(configuration.signingRegion == "us-east-1")
    }

    @Test func theValidatingConfigurationNameHasTheOriginalsEmptyDefault() throws {
        let options = try WebhookOptions.parse([])
        #expect(options.webhookValidatingConfigName == "")
        // cert-manager mode never patches a configuration, so it needs no name.
        let settings = try options.settings(operatorMode: true, environment: [:])
        #expect(settings == nil)
        let enabled = try WebhookOptions.parse(["--enable-webhook", "true"])
        #expect(try enabled.settings(operatorMode: true, environment: [:])?.mode == .certManager)
    }

    @Test func maxConcurrentEvalsIsFourPerCoreAtLeastSixteen() {
        #expect(RendererConfiguration.defaultMaxConcurrentEvaluations == max(4 * System.coreCount, 16))
        #expect(RendererConfiguration.defaultMaxConcurrentEvaluations >= 16)
    }

    /// An address without a host (`:8083`, `:8084`) listens on every interface, IPv6
    /// and IPv4, as Go does; so does the webhook by default.
    @Test func aMissingHostMeansEveryInterface() throws {
        let address = try #require(FlagValues.hostAndPort(":8083"))
        #expect(address.host == GoListen.wildcardHost && address.port == 8083)
        #expect(GoListen.wildcardHost == "::", "this machine has IPv6")
        #expect(FlagValues.hostAndPort("[::]:9")?.host == "::")
        #expect(FlagValues.hostAndPort("0.0.0.0:9")?.host == "0.0.0.0")
        let webhook = try #require(try WebhookOptions.parse(["--enable-webhook", "true"])
            .settings(operatorMode: true, environment: [:]))
        #expect(webhook.host == GoListen.wildcardHost)
    }

    @Test func theEndpointPathIsOneSegment() {
        for good in ["jsonnet", "render", "v1", "a.b", "a-b_c~d"] {
            #expect(RendererConfiguration.endpointSegment(good) == good)
        }
        for bad in ["", "/", "/jsonnet", "jsonnet/", "api/render", ".", "..", "a b", "a%2Fb", "jsönnet", "a\u{0}",
                    String(repeating: "a", count: 256)] {
            #expect(RendererConfiguration.endpointSegment(bad) == nil, "\(bad.prefix(20))")
        }
    }
}
