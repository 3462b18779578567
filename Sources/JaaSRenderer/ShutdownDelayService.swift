import Logging
import ServiceLifecycle

/// The first service to hear of a graceful shutdown (it runs last in the group):
/// it flips readiness off, then waits `delay` so load balancers stop sending traffic
/// before the servers after it drain.
struct ShutdownDelayService: Service {
    let state: ServerState
    let delay: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        state.markShuttingDown()
        logger.info("shutting down: not ready, draining after the shutdown delay",
                    metadata: ["shutdown_delay_ms": "\(delay.milliseconds)"])
        try? await Task.sleep(for: delay)
    }
}
