#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's listen addresses.
public enum GoListen {
    /// The host Go listens on when an address names none (`:8083`): every interface,
    /// IPv6 and IPv4 alike (`::`, which Linux makes dual-stack unless
    /// `net.ipv6.bindv6only` is set), or every IPv4 interface (`0.0.0.0`) on a kernel
    /// without IPv6.
    public static let wildcardHost: String = {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET6, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return "0.0.0.0" }
        close(descriptor)
        return "::"
    }()
}
