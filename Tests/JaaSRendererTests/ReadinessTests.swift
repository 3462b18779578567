import JaaSRenderer
import Testing

/// `/ready` also waits for what the operator registers (its informer caches).
@Suite struct ReadinessTests {
    @Test func readinessWaitsForEveryHold() {
        let state = ServerState()
        state.waitFor("operator")
        state.markStarted()
        #expect(state.isStarted && !state.isReady, "started but the operator's caches are not filled yet")
        state.stopWaiting(for: "operator")
        #expect(state.isReady)
        state.markShuttingDown()
        #expect(!state.isReady)
    }
}
