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
}
