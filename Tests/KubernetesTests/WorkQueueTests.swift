import Kubernetes
import Testing

@Suite struct WorkQueueTests {
    @Test func deduplicatesQueuedKeys() async {
        let queue = WorkQueue<String>()
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.count == 2)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == "b")
        #expect(queue.count == 0)
    }

    @Test func keyAddedWhileProcessingIsRequeuedOnceAfterDone() async {
        let queue = WorkQueue<String>()
        queue.add("a")
        let key = await queue.get()
        #expect(key == "a")
        queue.add("a")
        queue.add("a")
        #expect(queue.count == 0, "not handed to a second worker while processing")
        queue.done("a")
        #expect(queue.count == 1)
        #expect(await queue.get() == "a")
        queue.done("a")
        #expect(queue.count == 0)
    }

    @Test func waitingWorkerIsWokenByAdd() async {
        let queue = WorkQueue<Int>()
        let worker = Task { await queue.get() }
        try? await Task.sleep(for: .milliseconds(20))
        queue.add(7)
        #expect(await worker.value == 7)
    }

    @Test func addAfterDelaysAndEarliestDeadlineWins() async throws {
        let queue = WorkQueue<String>()
        let start = ContinuousClock.now
        queue.addAfter("a", delay: .milliseconds(400))
        queue.addAfter("a", delay: .milliseconds(100))
        queue.addAfter("a", delay: .milliseconds(300))
        #expect(queue.count == 0)
        #expect(await queue.get() == "a")
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(95) && elapsed < .milliseconds(350))
        queue.done("a")
        try await Task.sleep(for: .milliseconds(400))
        #expect(queue.count == 0, "the superseded timers did not add it again")
    }

    @Test func rateLimitedBackoffGrowsUntilForget() async {
        // Steps of 200 ms leave room for scheduling delays when the whole suite runs in parallel
        // while still telling each backoff step from the next (each doubles).
        let queue = WorkQueue<String>(baseDelay: .milliseconds(200), maxDelay: .milliseconds(800))
        var delays: [Duration] = []
        for _ in 0..<4 {
            let start = ContinuousClock.now
            queue.addRateLimited("k")
            _ = await queue.get()
            delays.append(ContinuousClock.now - start)
            queue.done("k")
        }
        #expect(queue.numRequeues("k") == 4)
        #expect(delays[0] >= .milliseconds(190) && delays[0] < .milliseconds(390), "\(delays)")
        #expect(delays[1] >= .milliseconds(390), "\(delays)")
        #expect(delays[2] >= .milliseconds(790), "\(delays)")
        #expect(delays[3] >= .milliseconds(790) && delays[3] < .milliseconds(1590), "capped at maxDelay: \(delays)")
        queue.forget("k")
        #expect(queue.numRequeues("k") == 0)
        let start = ContinuousClock.now
        queue.addRateLimited("k")
        _ = await queue.get()
        #expect(ContinuousClock.now - start < .milliseconds(390))
    }

    @Test func shutdownReleasesWorkersAndIgnoresAdds() async {
        let queue = WorkQueue<String>()
        let worker = Task { await queue.get() }
        try? await Task.sleep(for: .milliseconds(20))
        queue.addAfter("late", delay: .milliseconds(30))
        queue.shutdown()
        #expect(await worker.value == nil)
        queue.add("x")
        #expect(await queue.get() == nil)
        #expect(queue.isShuttingDown)
    }

    @Test func cancelledGetReturnsNil() async {
        let queue = WorkQueue<String>()
        let worker = Task { await queue.get() }
        try? await Task.sleep(for: .milliseconds(20))
        worker.cancel()
        #expect(await worker.value == nil)
        queue.add("a")
        #expect(await queue.get() == "a", "the cancelled waiter did not swallow the key")
    }

    // MARK: Fairness across groups (namespaces)

    static func fair(_ cap: Int) -> WorkQueue<String> {
        WorkQueue<String>(fairness: .init(maxInFlight: cap) { String($0.split(separator: "/")[0]) })
    }

    /// Without the cap, the noisy namespace's backlog would come first.
    @Test func keysAreHandedOutRoundRobinAcrossGroups() async {
        let queue = Self.fair(10)
        for i in 0..<5 { queue.add("noisy/\(i)") }
        queue.add("quiet/a")
        queue.add("other/b")
        var order: [String] = []
        for _ in 0..<7 {
            guard let key = await queue.get() else { break }
            order.append(key)
        }
        #expect(order == ["noisy/0", "quiet/a", "other/b", "noisy/1", "noisy/2", "noisy/3", "noisy/4"])
    }

    @Test func aGroupNeverHoldsMoreThanItsCap() async throws {
        let queue = Self.fair(2)
        for i in 0..<6 { queue.add("noisy/\(i)") }
        let first = await queue.get()
        let second = await queue.get()
        #expect(first == "noisy/0" && second == "noisy/1")
        // A third worker waits: the noisy group is at its cap.
        let third = Task { await queue.get() }
        try await Task.sleep(for: .milliseconds(50))
        queue.add("quiet/a")
        #expect(await third.value == "quiet/a", "the quiet key goes past the capped backlog")
        let fourth = Task { await queue.get() }
        try await Task.sleep(for: .milliseconds(50))
        queue.done("noisy/0")
        #expect(await fourth.value == "noisy/2", "a slot freed by done lets the group go on")
        #expect(queue.count == 3)
        queue.shutdown()
    }

    @Test func aRequeuedKeyGoesToTheBackOfItsGroup() async {
        let queue = Self.fair(1)
        queue.add("a/1")
        queue.add("a/2")
        #expect(await queue.get() == "a/1")
        queue.add("a/1")
        queue.done("a/1")
        #expect(await queue.get() == "a/2")
        queue.done("a/2")
        #expect(await queue.get() == "a/1")
        queue.done("a/1")
        #expect(queue.count == 0)
    }

    @Test func manyGroupsDrainCompletely() async {
        let queue = Self.fair(1)
        var expected = Set<String>()
        for g in 0..<20 {
            for k in 0..<5 {
                queue.add("g\(g)/\(k)")
                expected.insert("g\(g)/\(k)")
            }
        }
        var seen = Set<String>()
        while queue.count > 0, let key = await queue.get() {
            seen.insert(key)
            queue.done(key)
        }
        #expect(seen == expected)
    }
}
