import Foundation
import JaaSAdmission
import JaaSOperator
import SwiftASN1
import Testing
import TestSupport
import X509

/// The self-signed certificates, the caBundle they go into, and reloading from disk.
@Suite struct WebhookCertificateTests {
    static func names(_ pem: String) throws -> [GeneralName] {
        let certificate = try Certificate(pemEncoded: pem)
        return Array(try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames())
    }

    @Test func serviceNamesAndIPLiterals() throws {
        let service = try SelfSignedCertificates.make(service: "jaas-webhook", namespace: "ops", validity: .seconds(3600))
        #expect(try Self.names(service.certificatePEM) == [.dnsName("jaas-webhook"), .dnsName("jaas-webhook.ops"),
                                                          .dnsName("jaas-webhook.ops.svc"),
                                                          .dnsName("jaas-webhook.ops.svc.cluster.local")])
        let ip = try SelfSignedCertificates.make(service: "127.0.0.1", namespace: "ops", validity: .seconds(3600))
        #expect(try Self.names(ip.certificatePEM) == [.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
        let v6 = try SelfSignedCertificates.make(service: "::1", namespace: "ops", validity: .seconds(3600))
        #expect(try Self.names(v6.certificatePEM) == [.ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))])
        let ca = try Certificate(pemEncoded: ip.caPEM)
        let leaf = try Certificate(pemEncoded: ip.certificatePEM)
        #expect(leaf.issuer == ca.subject)
        #expect(ca.publicKey.isValidSignature(leaf.signature, for: leaf))
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore) > 3600)
    }

    @Test func bundleKeepsValidCAsNewestFirstAndDropsExpiredOnes() throws {
        let now = Date()
        let old = try SelfSignedCertificates.make(service: "s", namespace: "n", validity: .seconds(3600), now: now)
        let expired = try SelfSignedCertificates.make(service: "s", namespace: "n", validity: .seconds(60),
                                                      now: now.addingTimeInterval(-7200))
        let new = try SelfSignedCertificates.make(service: "s", namespace: "n", validity: .seconds(3600), now: now)
        let bundle = CABundlePatcher.bundle(adding: new.caPEM, to: old.caPEM + expired.caPEM + "garbage", now: now)
        let kept = try PEMDocument.parseMultiple(pemString: bundle).map { try Certificate(pemEncoded: $0.pemString) }
        #expect(kept == [try Certificate(pemEncoded: new.caPEM), try Certificate(pemEncoded: old.caPEM)])
        // Adding the same CA again does not repeat it.
        #expect(CABundlePatcher.bundle(adding: new.caPEM, to: bundle, now: now) == bundle)
        // Many replicas' CAs: capped.
        var many = ""
        for _ in 0..<12 {
            many = CABundlePatcher.bundle(adding: try SelfSignedCertificates.make(service: "s", namespace: "n", validity: .seconds(3600)).caPEM,
                                          to: many, now: now)
        }
        #expect(try PEMDocument.parseMultiple(pemString: many).count == CABundlePatcher.maxCertificates)
    }

    @Test func reloadSwapsOnlyOnChangeAndKeepsTheLastGoodPair() throws {
        let directory = temporaryPath("webhook-reload-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serving = ServingCertificate(directory: directory)
        #expect(throws: ServingCertificate.LoadError.self) { try serving.reload() }
        #expect(serving.context == nil)
        try SelfSignedCertificates.make(service: "s", namespace: "n", validity: .seconds(3600)).write(to: directory)
        #expect(try serving.reload())
        #expect(try !serving.reload())
        let first = try #require(serving.context)
        try Data("-----BEGIN CERTIFICATE-----\nbroken\n".utf8).write(to: URL(fileURLWithPath: directory + "/tls.crt"))
        #expect(throws: ServingCertificate.LoadError.self) { try serving.reload() }
        #expect(serving.context === first)
        // A certificate with another certificate's key does not load either.
        let a = try SelfSignedCertificates.make(service: "s", namespace: "n", validity: .seconds(3600))
        let b = try SelfSignedCertificates.make(service: "s", namespace: "n", validity: .seconds(3600))
        try Data(a.certificatePEM.utf8).write(to: URL(fileURLWithPath: directory + "/tls.crt"))
        try Data(b.keyPEM.utf8).write(to: URL(fileURLWithPath: directory + "/tls.key"))
        #expect(throws: ServingCertificate.LoadError.self) { try serving.reload() }
        #expect(serving.context === first)
        try a.write(to: directory)
        #expect(try serving.reload())
        #expect(serving.context !== first)
    }
}
