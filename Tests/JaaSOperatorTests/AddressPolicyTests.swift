import JaaSOperator
import Testing

/// Issue 22: every cloud metadata address, IPv6 forms embedding a refused IPv4
/// address, and legacy IPv4 spellings are refused; ordinary addresses are not.
@Suite struct AddressPolicyTests {
    /// A host as written in an artifact URL, and what the policy must say: nil for
    /// allowed, else a fragment of the refusal.
    static let hosts: [(host: String, refusal: String?)] = [
        // Cloud metadata endpoints.
        ("169.254.169.254", "link-local"),              // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        ("169.254.170.2", "link-local"),                // ECS task metadata
        ("169.254.0.23", "link-local"),                 // Tencent Cloud
        ("fd00:ec2::254", "cloud metadata"),            // AWS IPv6
        ("[fd00:ec2::254]", "cloud metadata"),
        ("fd20:ce::254", "cloud metadata"),             // GCP IPv6
        ("fd00:c1::a9fe:a9fe", "cloud metadata"),       // Oracle Cloud IPv6
        ("168.63.129.16", "cloud metadata"),            // Azure WireServer
        ("100.100.100.200", "cloud metadata"),          // Alibaba Cloud
        ("192.0.0.192", "cloud metadata"),              // Oracle Cloud (legacy)
        ("metadata.google.internal", "metadata service"),
        ("METADATA.google.internal.", "metadata service"),
        ("metadata", "metadata service"),
        ("instance-data.ec2.internal", "metadata service"),
        ("metadata.tencentyun.com", "metadata service"),
        // IPv6 forms embedding a refused IPv4 address.
        ("::ffff:169.254.169.254", "embedding 169.254.169.254, a link-local"),   // IPv4-mapped
        ("::ffff:a9fe:a9fe", "embedding 169.254.169.254"),
        ("::169.254.169.254", "embedding 169.254.169.254"),                      // IPv4-compatible
        ("::ffff:0:169.254.169.254", "embedding 169.254.169.254"),              // IPv4-translated (SIIT)
        ("::ffff:127.0.0.1", "embedding 127.0.0.1, a loopback"),
        ("::ffff:100.100.100.200", "embedding 100.100.100.200, a cloud metadata"),
        ("64:ff9b::169.254.169.254", "embedding 169.254.169.254"),              // NAT64 well-known prefix
        ("64:ff9b::a9fe:a9fe", "embedding 169.254.169.254"),
        ("64:ff9b::7f00:1", "embedding 127.0.0.1"),
        ("64:ff9b:1::a9fe:a9fe", "embedding 169.254.169.254"),                  // local-use NAT64, /96
        ("64:ff9b:1:a9fe:a9:fea9:fe00:0", "embedding 169.254.169.254"),         // local-use NAT64, /48 (u octet skipped)
        ("64:ff9b:1:ff:a9:fea9:fe00:0", "embedding 169.254.169.254"),           // local-use NAT64, /64
        ("2002:a9fe:a9fe::", "embedding 169.254.169.254"),                      // 6to4
        ("2002:7f00:1::1", "embedding 127.0.0.1"),
        ("2002:a83f:8110::1", "embedding 168.63.129.16"),
        ("2001:0:4136:e378:8000:63bf:5601:5601", "embedding 169.254.169.254"), // Teredo client (XOR 0xffffffff)
        ("2001:0:7f00:1::1", "embedding 127.0.0.1"),                           // Teredo server
        // Legacy IPv4 spellings (inet_aton), refused whatever they stand for.
        ("2852039166", "non-canonical IPv4 literal (169.254.169.254, a link-local"),
        ("0251.0376.0251.0376", "non-canonical IPv4 literal (169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "non-canonical IPv4 literal (169.254.169.254"),
        ("0XA9FEA9FE", "non-canonical IPv4 literal (169.254.169.254"),
        ("169.254.43518", "non-canonical IPv4 literal (169.254.169.254"),
        ("169.16689662", "non-canonical IPv4 literal (169.254.169.254"),
        ("0x7f.1", "non-canonical IPv4 literal (127.0.0.1, a loopback"),
        ("127.1", "non-canonical IPv4 literal (127.0.0.1"),
        ("0", "non-canonical IPv4 literal (0.0.0.0"),
        ("169.254.169.254.", "non-canonical IPv4 literal (169.254.169.254"),
        ("010.0.0.1", "non-canonical IPv4 literal (8.0.0.1)"),                 // octal, even when allowed
        ("10.1", "non-canonical IPv4 literal (10.0.0.1)"),
        ("08.1.2.3", "malformed IPv4 literal"),
        ("1.2.3.4.5", "malformed IPv4 literal"),
        ("256.1.1.1", "malformed IPv4 literal"),
        ("1.2.65536", "malformed IPv4 literal"),
        ("4294967296", "malformed IPv4 literal"),
        (String(repeating: "9", count: 100_000), "malformed IPv4 literal"),
        ("1..1", "malformed IPv4 literal"),
        ("example.0x10", "malformed IPv4 literal"),
        ("a.b.123", "malformed IPv4 literal"),
        // Refused before.
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("localhost", "localhost"), ("0.0.0.0", "unspecified"),
        ("::", "unspecified"), ("fe80::1", "link-local"), ("fe80::1%25eth0", "link-local"), ("ff02::1", "multicast"),
        ("224.0.0.1", "multicast"), ("255.255.255.255", "broadcast"),
        // Allowed: private and public addresses, also embedded, and names.
        ("10.0.0.1", nil), ("192.168.1.10", nil), ("8.8.8.8", nil), ("100.64.0.1", nil), ("100.100.100.201", nil),
        ("168.63.129.17", nil), ("192.0.0.193", nil), ("2001:db8::1", nil), ("fd00::1", nil), ("fd00:ec2::253", nil),
        ("::ffff:10.1.2.3", nil), ("64:ff9b::808:808", nil), ("64:ff9b:1::808:808", nil), ("2002:808:808::1", nil), ("2001:4860:4860::8888", nil),
        ("example.com", nil), ("source-controller.flux-system.svc.cluster.local", nil), ("1e100.net", nil),
        ("0x.example.com", nil), ("123.example", nil),
    ]

    @Test func everyHostIsClassified() {
        let policy = AddressPolicy()
        for (host, expected) in Self.hosts {
            let refusal = policy.refusal(host: host)
            let shown = host.count > 40 ? "\(host.prefix(20))… (\(host.count) characters)" : host
            if let expected {
                #expect(refusal?.contains(expected) == true, "\(shown): \(refusal ?? "allowed"), expected \(expected)")
            } else {
                #expect(refusal == nil, "\(shown) must be allowed: \(refusal ?? "")")
            }
        }
    }

    /// The same addresses as resolver answers (bytes, not text) get the same verdict.
    @Test func resolvedAddressesAreClassifiedAlike() throws {
        let policy = AddressPolicy()
        for (host, expected) in Self.hosts {
            guard let address = IPAddress(parsing: host) else { continue }
            let resolved = try #require(IPAddress(bytes: address.bytes))
            #expect((policy.refusal(resolved) != nil) == (expected != nil), "\(host)")
        }
    }

    @Test func legacySpellingsNormalize() {
        let cases: [(String, String?)] = [
            ("2852039166", "169.254.169.254"), ("0251.0376.0251.0376", "169.254.169.254"),
            ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"), ("169.254.43518", "169.254.169.254"),
            ("169.16689662", "169.254.169.254"), ("1.2.3.4", "1.2.3.4"), ("0x", "0.0.0.0"), ("0", "0.0.0.0"),
            ("4294967295", "255.255.255.255"), ("4294967296", nil), ("1.256.1.1", nil), ("1.2.3.256", nil),
            ("09", nil), ("0xg", nil), ("", nil), ("1.2.3.4.5", nil), ("-1", nil), ("+1", nil), (" 1", nil),
            ("1.2.3.", nil), (String(repeating: "0", count: 100_000), "0.0.0.0"),
        ]
        for (text, expected) in cases {
            #expect(IPAddress(legacyIPv4: text)?.description == expected, "\(text.prefix(20))")
        }
    }

    /// `--allow-loopback-sources` lets loopback through in every spelling but the legacy ones, and nothing else.
    @Test func allowLoopbackKeepsEverythingElse() {
        let loose = AddressPolicy(allowLoopback: true)
        for host in ["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1", "64:ff9b::7f00:1"] {
            #expect(loose.refusal(host: host) == nil, "\(host)")
        }
        for host in ["127.1", "0x7f000001", "169.254.169.254", "::ffff:169.254.169.254", "2002:a9fe:a9fe::", "168.63.129.16"] {
            #expect(loose.refusal(host: host) != nil, "\(host)")
        }
    }
}
