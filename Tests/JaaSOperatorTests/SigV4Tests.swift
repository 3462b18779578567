import Foundation
import JaaSArtifacts
import JaaSOperator
import Testing

/// SigV4 against AWS's published test vectors: the generic `aws-sig-v4-test-suite`
/// cases (service `service`, 2015-08-30) and the S3 documentation's GetObject example.
@Suite struct SigV4Tests {
    /// One published case: the request and the Authorization header AWS computed for it.
    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(String, String)]
        var headers: [String: String]
        var payloadHash: String
        var service: String
        var credentials: AWSCredentials
        var date: String
        var authorization: String
        var description: String { name }
    }

    static let suiteCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                                 secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", method: "GET", path: "/", query: [], headers: ["Host": "example.amazonaws.com"],
               payloadHash: emptyHash, service: "service", credentials: suiteCredentials, date: "2015-08-30T12:36:00Z",
               authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                   + "SignedHeaders=host;x-amz-date, "
                   + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
               query: [("Param2", "value2"), ("Param1", "value1")], headers: ["Host": "example.amazonaws.com"],
               payloadHash: emptyHash, service: "service", credentials: suiteCredentials, date: "2015-08-30T12:36:00Z",
               authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                   + "SignedHeaders=host;x-amz-date, "
                   + "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "post-vanilla", method: "POST", path: "/", query: [], headers: ["Host": "example.amazonaws.com"],
               payloadHash: emptyHash, service: "service", credentials: suiteCredentials, date: "2015-08-30T12:36:00Z",
               authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                   + "SignedHeaders=host;x-amz-date, "
                   + "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "s3-get-object-range", method: "GET", path: "/test.txt", query: [],
               headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9",
                         "x-amz-content-sha256": emptyHash],
               payloadHash: emptyHash, service: "s3",
               credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
               date: "2013-05-24T00:00:00Z",
               authorization: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                   + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                   + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
    ]

    @Test(arguments: vectors) func publishedVector(_ v: Vector) throws {
        let date = try #require(ISO8601DateFormatter().date(from: v.date))
        let added = SigV4Signer(region: "us-east-1", service: v.service).sign(
            method: v.method, path: v.path, query: v.query, headers: v.headers, payloadHash: v.payloadHash,
            credentials: v.credentials, date: date)
        #expect(added["authorization"] == v.authorization)
        #expect(added["x-amz-date"] == v.date.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: ""))
    }

    @Test func sessionTokenIsSignedAndSent() throws {
        var credentials = Self.suiteCredentials
        credentials.sessionToken = "token/with+chars"
        let added = SigV4Signer(region: "us-east-1", service: "service").sign(
            method: "GET", path: "/", query: [], headers: ["Host": "example.amazonaws.com"], payloadHash: Self.emptyHash,
            credentials: credentials, date: Date(timeIntervalSince1970: 1_440_938_160))
        #expect(added["x-amz-security-token"] == "token/with+chars")
        #expect(added["authorization"]?.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,") == true)
    }

    @Test func keysAreEncodedPerSegment() {
        #expect(SigV4Signer.encodePath("bucket/a b/ü+=.tar.gz") == "/bucket/a%20b/%C3%BC%2B%3D.tar.gz")
        #expect(SigV4Signer.encode("a/b~c", keepSlash: false) == "a%2Fb~c")
    }
}
