import Foundation
import HTTPTypes
import Hummingbird
import JaaSArtifacts
import NIOCore
import Synchronization
import Testing
import TestSupport

/// The S3 credential chain's shared credentials file and container endpoint (EKS Pod
/// Identity, ECS), each against local fakes: files in a temporary directory and a
/// credentials endpoint on 127.0.0.1.
@Suite(.serialized) struct AWSCredentialSourceTests {
    static let keys = """
        # written by a provisioning tool
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        [deploy]
        aws_access_key_id=AKIDDEPLOY
        aws_secret_access_key=deploy-secret
        aws_session_token = deploy-token
        ; a comment
        """

    @Test func sharedFileProfilesAreChosenByAWSProfile() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("credentials", Self.keys)
        let chosen = CredentialChain.provider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file], region: "")
        #expect(try await chosen.credentials() == AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "default-secret"))
        let deploy = CredentialChain.provider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "deploy"],
                                              region: "")
        #expect(try await deploy.credentials()
            == AWSCredentials(accessKeyID: "AKIDDEPLOY", secretAccessKey: "deploy-secret", sessionToken: "deploy-token"))
        // ~/.aws/credentials when no file is named.
        try directory.write("home/.aws/credentials", Self.keys)
        let home = CredentialChain.provider(environment: ["HOME": directory.at("home")], region: "")
        #expect(try await home.credentials().accessKeyID == "AKIDDEFAULT")
        // Keys in the environment come first.
        let environment = CredentialChain.provider(
            environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"],
            region: "")
        #expect(try await environment.credentials().accessKeyID == "AKIDENV")
    }

    @Test func aRotatedFileIsReadAgain() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("credentials", Self.keys)
        let provider = CredentialChain.provider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file], region: "")
        #expect(try await provider.credentials().accessKeyID == "AKIDDEFAULT")
        try directory.write("credentials", "[default]\naws_access_key_id=AKIDNEW\naws_secret_access_key=new\n")
        #expect(try await provider.credentials().accessKeyID == "AKIDNEW")
    }

    @Test func aBadFileIsAClearErrorThatShowsNoKey() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("credentials", Self.keys)
        // A profile asked for by name must be there.
        let missing = CredentialChain.provider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "prod"],
                                               region: "")
        await #expect(throws: CredentialError.self) { try await missing.credentials() }
        do {
            _ = try await missing.credentials()
        } catch {
            #expect("\(error)" == "the AWS shared credentials file \(file) has no profile [prod]")
        }
        // A profile without both keys: the message names the profile, never a value.
        let half = try directory.write("half", "[default]\naws_access_key_id = AKIDHALF\n")
        do {
            _ = try await SharedCredentialsFile(path: half, profile: "default").credentials()
            Issue.record("a profile without a secret was accepted")
        } catch {
            #expect("\(error)".contains("lacks aws_access_key_id or aws_secret_access_key"))
            #expect(!"\(error)".contains("AKIDHALF"))
        }
        // A huge file is refused before it is read whole.
        let huge = try directory.write("huge", "[default]\n" + String(repeating: "x = y\n", count: 200_000))
        do {
            _ = try await SharedCredentialsFile(path: huge, profile: "default").credentials()
            Issue.record("a 1.2 MB credentials file was read")
        } catch {
            #expect("\(error)".contains("is larger than"))
        }
        // Without AWS_PROFILE, a file without [default] (or no file) is skipped, not an error.
        let other = try directory.write("other", "[deploy]\naws_access_key_id=a\naws_secret_access_key=b\n")
        #expect(SharedCredentialsFile.selected(by: ["AWS_SHARED_CREDENTIALS_FILE": other]) == nil)
        #expect(SharedCredentialsFile.selected(by: ["AWS_SHARED_CREDENTIALS_FILE": directory.at("absent")]) == nil)
        #expect(SharedCredentialsFile.selected(by: [:]) == nil)
        // Binary garbage parses to nothing.
        let garbage = try directory.write("garbage", String(decoding: (0..<4096).map { UInt8($0 % 256) }, as: UTF8.self))
        #expect(SharedCredentialsFile.selected(by: ["AWS_SHARED_CREDENTIALS_FILE": garbage]) == nil)
    }

    @Test func containerEndpointWithARotatedTokenFile() async throws {
        let endpoint = try await FakeContainerEndpoint.start()
        defer { endpoint.stop() }
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "pod-identity-token-1\n")
        let environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(endpoint.port)/v1/credentials",
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile]
        // Credentials that expire within the refresh margin are fetched again each time.
        endpoint.lifetime.withLock { $0 = 60 }
        let provider = CredentialChain.provider(environment: environment, region: "")
        let first = try await provider.credentials()
        #expect(first.accessKeyID == "ASIAPOD1" && first.sessionToken == "pod-session-1")
        #expect(first.expiration != nil)
        try directory.write("token", "pod-identity-token-2")
        let second = try await provider.credentials()
        #expect(second.accessKeyID == "ASIAPOD2")
        #expect(endpoint.authorizations.withLock { $0 } == ["pod-identity-token-1", "pod-identity-token-2"])
        // Long-lived ones are reused.
        endpoint.lifetime.withLock { $0 = 3600 }
        let reused = CredentialChain.provider(environment: environment, region: "")
        let a = try await reused.credentials()
        #expect(try await reused.credentials() == a)
        // The token given directly, when there is no file.
        let direct = CredentialChain.provider(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(endpoint.port)/v1/credentials",
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN": "static-token"], region: "")
        _ = try await direct.credentials()
        #expect(endpoint.authorizations.withLock { $0.last } == "static-token")
    }

    @Test func containerEndpointsThatWouldLeakTheTokenAreRefused() async throws {
        for uri in ["http://169.254.169.254/creds", "http://example.com/creds", "http://10.0.0.1/creds",
                    "ftp://127.0.0.1/creds", "not a url", "http:///creds"] {
            let provider = CredentialChain.provider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri,
                                                                  "AWS_CONTAINER_AUTHORIZATION_TOKEN": "secret-token"],
                                                    region: "")
            do {
                _ = try await provider.credentials()
                Issue.record("\(uri) was asked")
            } catch {
                #expect("\(error)".contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"), "\(uri): \(error)")
                #expect(!"\(error)".contains("secret-token"))
            }
        }
        // https anywhere, plain http on loopback and the container endpoints.
        for uri in ["https://creds.example.com/v1", "http://localhost:1/x", "http://[::1]:1/x", "http://169.254.170.23/v1/credentials",
                    "http://[fd00:ec2::23]/v1/credentials"] {
            #expect(throws: Never.self, "\(uri)") { _ = try ContainerCredentials.selected(by: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri]) }
        }
        // A relative URI is a path on the ECS endpoint.
        let relative = try #require(try ContainerCredentials.selected(by: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds/abc"]))
        #expect(relative.url == "http://169.254.170.2/v2/creds/abc")
        // A token with a line break would inject a header.
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "a\r\nX-Injected: 1")
        let injected = CredentialChain.provider(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile],
            region: "")
        do {
            _ = try await injected.credentials()
            Issue.record("a token with a line break was sent")
        } catch {
            #expect("\(error)".contains("line break"))
        }
    }

    @Test func hostileContainerAnswersAreErrors() async throws {
        let endpoint = try await FakeContainerEndpoint.start()
        defer { endpoint.stop() }
        let url = "http://127.0.0.1:\(endpoint.port)/v1/credentials"
        for (answer, expected) in [("huge", "answered too much"), ("garbage", "not credentials"),
                                   ("empty", "empty credentials"), ("denied", "answered 403")] {
            endpoint.mode.withLock { $0 = answer }
            let provider = CredentialChain.provider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url], region: "")
            do {
                _ = try await provider.credentials()
                Issue.record("\(answer) gave credentials")
            } catch {
                #expect("\(error)".contains(expected), "\(answer): \(error)")
            }
        }
    }
}

/// A container credentials endpoint on 127.0.0.1 answering numbered credentials and
/// recording the `Authorization` headers it receives; `mode` makes it misbehave.
final class FakeContainerEndpoint: Sendable {
    let port: Int
    /// Seconds until the issued credentials expire.
    let lifetime = Mutex(3600)
    /// The `Authorization` values received.
    let authorizations = Mutex<[String]>([])
    /// `ok`, `huge` (4 MiB), `garbage`, `empty` or `denied`.
    let mode = Mutex("ok")
    private let task = Mutex<Task<Void, any Error>?>(nil)

    private init(port: Int) {
        self.port = port
    }

    static func start() async throws -> FakeContainerEndpoint {
        let state = Mutex<FakeContainerEndpoint?>(nil)
        let router = Router()
        router.get("/v1/credentials") { request, _ -> Response in
            guard let endpoint = state.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            let authorization = request.headers[.authorization] ?? ""
            let n = endpoint.authorizations.withLock { $0.append(authorization); return $0.count }
            let body: String
            switch endpoint.mode.withLock({ $0 }) {
            case "huge": body = String(repeating: " ", count: 4 << 20)
            case "garbage": body = "<html>not json</html>"
            case "empty": body = #"{"AccessKeyId":"","SecretAccessKey":""}"#
            case "denied": return Response(status: .forbidden)
            default:
                let expiry = Date().addingTimeInterval(Double(endpoint.lifetime.withLock { $0 }))
                body = """
                    {"AccessKeyId":"ASIAPOD\(n)","SecretAccessKey":"pod-secret-\(n)","Token":"pod-session-\(n)",\
                    "Expiration":"\(ISO8601DateFormatter().string(from: expiry))"}
                    """
            }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await app.run() }
        var port = 0
        for await p in ports { port = p; break }
        let endpoint = FakeContainerEndpoint(port: port)
        endpoint.task.withLock { $0 = task }
        state.withLock { $0 = endpoint }
        return endpoint
    }

    func stop() { task.withLock { $0?.cancel() } }
}
