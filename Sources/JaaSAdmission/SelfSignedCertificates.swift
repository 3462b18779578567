#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import JaaSOperatorAPI
import SwiftASN1
import X509

/// A freshly made CA and a serving certificate it signed, PEM-encoded
/// (`--webhook-cert-mode self-signed`).
public struct SelfSignedCertificates: Sendable {
    /// The CA certificate: what the ValidatingWebhookConfiguration's `caBundle` trusts.
    public let caPEM: String
    /// The serving certificate (`tls.crt`).
    public let certificatePEM: String
    /// The serving certificate's key (`tls.key`, PKCS#8).
    public let keyPEM: String
    /// The not valid before.
    public let notValidBefore: Date
    /// The not valid after.
    public let notValidAfter: Date

    /// The names a Service is reached by: `name`, `name.ns`, `name.ns.svc` and
    /// `name.ns.svc.cluster.local`; an IP literal `name` is an IP address instead.
    public static func subjectAlternativeNames(service: String, namespace: String) -> [GeneralName] {
        if let ip = ipAddressBytes(service) { return [.ipAddress(ASN1OctetString(contentBytes: ip[...]))] }
        return [service, "\(service).\(namespace)", "\(service).\(namespace).svc", "\(service).\(namespace).svc.cluster.local"]
            .map { .dnsName($0) }
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 literal; nil for anything else.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Makes a P-256 CA and a serving certificate for the Service, both valid from a
    /// few minutes before `now` for `validity`.
    public static func make(service: String, namespace: String, validity: Duration, now: Date = Date()) throws
        -> SelfSignedCertificates {
        let seconds = Double(validity.components.seconds)
        let notBefore = now.addingTimeInterval(-300)
        let notAfter = now.addingTimeInterval(seconds)
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("jaas-webhook-ca") }
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPublicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: caPublicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let subject = try DistinguishedName {
            CommonName(ipAddressBytes(service) == nil ? "\(service).\(namespace).svc" : service)
        }
        let serving = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(subjectAlternativeNames(service: service, namespace: namespace))
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: caPublicKey).keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
        return SelfSignedCertificates(
            caPEM: try ca.serializeAsPEM().pemString, certificatePEM: try serving.serializeAsPEM().pemString,
            keyPEM: key.pemRepresentation, notValidBefore: notBefore, notValidAfter: notAfter)
    }

    /// Writes `tls.crt`, `tls.key` and `ca.crt` into `directory`, each replaced atomically
    /// (the key first, so a reader never pairs a new certificate with an old key for long).
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in [("tls.key", keyPEM), ("tls.crt", certificatePEM), ("ca.crt", caPEM)] {
            let path = "\(directory)/\(name)"
            let temporary = "\(path).tmp"
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            chmod(temporary, name == "tls.key" ? 0o600 : 0o644)
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
    }
}
