#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One evaluation's memory budget (`EvaluationOptions.memoryLimit`).
///
/// Two parts make up the estimate of what the evaluation holds:
/// - large strings and arrays (at least `MemoryBudget.largeBytes`) charge their
///   bytes when they are created and give them back when they are freed, so
///   `live` is exact for them;
/// - thunks, frames and objects (the registry's `Tracked` objects) are counted
///   as they are created, at `trackedBytes` each; when that count pushes the
///   estimate over the limit, the heap is collected (`Heap.collect`) and only
///   the survivors count, so a program that churns through small values is not
///   charged for what it already dropped, cycles included.
///
/// Program-chosen sizes (`std.makeArray`, `std.range`, `std.repeat`, string
/// concatenation, comprehensions) are checked with `Interpreter.reserve` before
/// anything is allocated.
final class MemoryBudget {
    /// The limit in bytes.
    let limit: Int
    /// Bytes held by live large strings and arrays.
    var live = 0
    /// Set when a charge that could not throw went over the limit; the next poll throws.
    var exceeded = false

    /// Strings and arrays at least this large are charged individually.
    static let largeBytes = 4096
    /// What one thunk, frame or object is assumed to cost, with its share of the
    /// small arrays and strings it holds.
    static let trackedBytes = 128

    init(limit: Int) { self.limit = limit }

    /// The budget of the evaluation running on this thread, if it has one.
    static var current: MemoryBudget? {
        guard let p = pthread_getspecific(key) else { return nil }
        return Unmanaged<MemoryBudget>.fromOpaque(p).takeUnretainedValue()
    }

    /// Makes `budget` the current thread's budget (nil clears it).
    static func install(_ budget: MemoryBudget?) {
        pthread_setspecific(key, budget.map { Unmanaged.passUnretained($0).toOpaque() })
    }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// Charges `bytes` for a large value being created on this thread; the
    /// returned token gives them back when it is freed. Nil without a budget.
    static func charge(_ bytes: Int) -> MemoryCharge? {
        guard let b = current else { return nil }
        b.live += bytes
        if b.live > b.limit { b.exceeded = true }
        return MemoryCharge(b, bytes)
    }

    /// The limit as people write it: `256Mi`, `1Gi`, or plain bytes.
    var limitText: String { formatByteSize(limit) }
}

/// A large string's or array's share of a budget, returned when it is freed.
final class MemoryCharge {
    let budget: MemoryBudget
    let bytes: Int

    init(_ budget: MemoryBudget, _ bytes: Int) {
        self.budget = budget
        self.bytes = bytes
    }

    deinit { budget.live -= bytes }
}

/// `n` bytes as `NGi`, `NMi` or `NKi` when exact, else as a plain number.
public func formatByteSize(_ n: Int) -> String {
    for (shift, unit) in [(30, "Gi"), (20, "Mi"), (10, "Ki")] where n > 0 && n % (1 << shift) == 0 {
        return "\(n >> shift)\(unit)"
    }
    return "\(n)"
}

/// Parses a byte size: a whole number with an optional `Ki`, `Mi` or `Gi` suffix.
/// Nil when malformed, zero or out of range.
public func parseByteSize(_ text: String) -> Int? {
    var digits = Substring(text)
    var shift = 0
    for (suffix, s) in [("Ki", 10), ("Mi", 20), ("Gi", 30)] where digits.hasSuffix(suffix) {
        digits = digits.dropLast(2)
        shift = s
    }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n > 0 else {
        return nil
    }
    let (r, overflow) = n.multipliedReportingOverflow(by: 1 << shift)
    return overflow ? nil : r
}

extension Interpreter {
    /// The largest string (in code points) or array (in elements) a program may
    /// build, with or without a memory budget: sizes computed from program values
    /// never reach the allocator unbounded.
    static let maxElements = Int(Int32.max)

    /// Fails cleanly, before allocating, when a value of `count` elements of
    /// `elementBytes` each would not fit: over `maxElements`, or over what is
    /// left of the memory budget.
    func reserve(_ count: Int, elementBytes: Int) throws {
        if count > Self.maxElements {
            throw makeError("Value too large: \(count) elements, at most \(Self.maxElements)")
        }
        guard let m = memory else { return }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementBytes)
        if overflow || m.live + bytes + heap.allocations * MemoryBudget.trackedBytes > m.limit {
            if !overflow { heap.collect() }
            if overflow || m.live + bytes + heap.allocations * MemoryBudget.trackedBytes > m.limit {
                throw memoryError(m)
            }
        }
    }

    /// Throws when the budget is spent; called from `poll`.
    func checkMemory(_ m: MemoryBudget) throws {
        if m.exceeded && m.live <= m.limit { m.exceeded = false }
        if m.exceeded { throw memoryError(m) }
        if m.live + heap.allocations * MemoryBudget.trackedBytes > m.limit {
            heap.collect()
            if m.live + heap.allocations * MemoryBudget.trackedBytes > m.limit { throw memoryError(m) }
        }
    }

    private func memoryError(_ m: MemoryBudget) -> JsonnetError {
        makeError("memory limit exceeded: this evaluation may use at most \(m.limitText)")
    }
}
