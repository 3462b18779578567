import Foundation
import JaaSOperatorAPI
import Logging
import NIOSSL
import Synchronization

/// The webhook's serving certificate: `tls.crt`/`tls.key` in a directory, loaded into a
/// TLS context that is swapped whenever the files change. New connections use the
/// newest context; connections already open keep theirs.
public final class ServingCertificate: Sendable {
    /// The directory holding `tls.crt` and `tls.key`.
    public let directory: String
    private let state = Mutex<(context: NIOSSLContext, files: [UInt8])?>(nil)

    /// Creates one from the given values.
    public init(directory: String) {
        self.directory = directory
    }

    /// The TLS context of the last good pair of files; nil before the first load.
    public var context: NIOSSLContext? { state.withLock { $0?.context } }

    /// A failure to read or use the certificate files.
    public struct LoadError: Error, CustomStringConvertible {
        /// A one-line description.
        public let description: String
    }

    /// Reads the files and swaps the context when they differ from the loaded ones.
    /// Returns whether a new context was installed; a bad pair (e.g. half-written) throws
    /// and leaves the previous context in use.
    @discardableResult
    public func reload() throws(LoadError) -> Bool {
        let crtPath = directory + "/tls.crt", keyPath = directory + "/tls.key"
        guard let crt = FileManager.default.contents(atPath: crtPath), let key = FileManager.default.contents(atPath: keyPath)
        else { throw LoadError(description: "cannot read \(crtPath) and \(keyPath)") }
        let files = [UInt8](crt) + [0] + [UInt8](key)
        if state.withLock({ $0?.files == files }) { return false }
        let context: NIOSSLContext
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes([UInt8](crt))
            guard !chain.isEmpty else { throw LoadError(description: "\(crtPath) holds no certificate") }
            let privateKey = try NIOSSLPrivateKey(bytes: [UInt8](key), format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
            // A connection closed by a deadline waits this long for the client's close_notify
            // (NIO's default is 5 s): a client that never answers holds its slot no longer.
            configuration.shutdownTimeout = .seconds(1)
            context = try NIOSSLContext(configuration: configuration)
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(description: "\(directory): \(error)")
        }
        state.withLock { $0 = (context, files) }
        return true
    }

    /// Checks the files every `interval` until cancelled, logging swaps and failures.
    public func watch(every interval: Duration, logger: Logger) async throws {
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            do {
                if try reload() { logger.info("webhook certificate reloaded", metadata: ["dir": "\(directory)"]) }
            } catch {
                logger.warning("webhook certificate not reloaded, the previous one stays in use",
                               metadata: ["error": "\(error)"])
            }
        }
    }
}
