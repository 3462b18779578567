#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's entry points.
///
/// Every evaluation runs on its own thread with a large native stack, so deep
/// Jsonnet recursion ends in a clean `max stack frames exceeded.` error instead of
/// a crash. Errors are thrown as `JsonnetError` (with go-jsonnet's message) or
/// `EvaluationCancelled`.
public enum Jsonnet {
    /// Evaluates `source` (named `fileName` in diagnostics and `std.thisFile`).
    public static func evaluate(source: String, fileName: String,
                                options: EvaluationOptions = EvaluationOptions(),
                                mode: OutputMode = .json) throws -> EvaluationOutput {
        try onLargeStack(options) { ev in
            try ev.run(SourceFile(name: fileName, text: source), mode: mode, options: options)
        }
    }

    /// Runs `body` with a fresh interpreter on a thread with `options.stackSize` of
    /// native stack, its memory budget installed, and its heap released afterwards
    /// (or, with `releasingMemory` false, left for the process's exit to reclaim).
    private static func onLargeStack<T>(_ options: EvaluationOptions, releasingMemory: Bool = true,
                                        _ body: @escaping (Interpreter) throws -> T) throws -> T {
        let result: Result<T, any Error> = runOnLargeStack(options.stackSize) { stackSize in
            let ev = Interpreter(options: options)
            ev.setNativeStackLimit(stackSize: stackSize)
            MemoryBudget.install(ev.memory)
            defer {
                if releasingMemory {
                    ev.heap.release()
                } else {
                    // Keeps the interpreter, and through its heap every object of the
                    // evaluation, alive: nothing is freed one by one.
                    _ = Unmanaged.passRetained(ev)
                }
                MemoryBudget.install(nil)
            }
            return Result { try body(ev) }
        }
        return try result.get()
    }

    /// Evaluates `source` to `.json` or `.string` output as pieces of UTF-8 text, in
    /// order (their concatenation is the `.single` text `evaluate` returns). For the
    /// command line, which writes them as they are: a large output is never copied
    /// into one buffer or a `String`.
    ///
    /// With `releasingMemory` false the evaluation's objects are never freed: for a
    /// process that exits right after (freeing a large evaluation object by object
    /// can take longer than some whole programs; the operating system reclaims it
    /// at once). Never pass false in a process that keeps running.
    package static func evaluateBytes(source: String, fileName: String,
                                      options: EvaluationOptions = EvaluationOptions(),
                                      mode: OutputMode = .json,
                                      releasingMemory: Bool = true) throws -> [[UInt8]] {
        precondition(mode == .json || mode == .string, "evaluateBytes writes one document")
        return try onLargeStack(options, releasingMemory: releasingMemory) { ev in
            try ev.run(SourceFile(name: fileName, text: source), options: options) {
                try ev.manifestOutputPieces($0, mode: mode)
            }
        }
    }

    /// Evaluates `source` without blocking a Swift concurrency thread.
    public static func evaluateAsync(source: String, fileName: String,
                                     options: EvaluationOptions = EvaluationOptions(),
                                     mode: OutputMode = .json) async throws -> EvaluationOutput {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<EvaluationOutput, any Error>) in
            startThread(options.stackSize) { stackSize in
                let ev = Interpreter(options: options)
                ev.setNativeStackLimit(stackSize: stackSize)
                MemoryBudget.install(ev.memory)
                let r = Result { try ev.run(SourceFile(name: fileName, text: source), mode: mode, options: options) }
                ev.heap.release()
                MemoryBudget.install(nil)
                cont.resume(with: r)
            }
        }
    }

    /// The version reported by `--version` (matching the go-jsonnet release we track).
    public static let version = "v0.22.0"
}

extension Interpreter {
    /// Records how deep the native stack may grow: the current position minus the
    /// thread's stack size, less a safety margin for the frames below a check.
    func setNativeStackLimit(stackSize: Int) {
        var marker: UInt8 = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        let margin = min(UInt(stackSize) / 4, 4 << 20)
        nativeStackLimit = here - UInt(stackSize) + margin
    }
}

private final class ThreadBox {
    let body: (Int) -> Void
    let stackSize: Int
    init(_ body: @escaping (Int) -> Void, stackSize: Int) {
        self.body = body
        self.stackSize = stackSize
    }
}

/// Starts a detached thread running `body` with up to `stackSize` bytes of stack;
/// `body` receives the size it actually got. When the system refuses a stack that
/// large, smaller ones are tried (down to 16 MiB, then the caller's own thread with
/// a conservative size), so the native stack limit is always computed from reality.
func startThread(_ stackSize: Int, _ body: @escaping (Int) -> Void) {
    var size = stackSize
    while size >= 16 << 20 {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, size)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(ThreadBox(body, stackSize: size)).toOpaque()
        #if canImport(Glibc)
        var tid = pthread_t()
        #else
        var tid: pthread_t? = nil
        #endif
        let rc = pthread_create(&tid, &attr, { raw in
            let box = Unmanaged<ThreadBox>.fromOpaque(raw!).takeRetainedValue()
            box.body(box.stackSize)
            return nil
        }, box)
        pthread_attr_destroy(&attr)
        if rc == 0 { return }
        Unmanaged<ThreadBox>.fromOpaque(box).release()
        size /= 2
    }
    // No thread could be created at all: run here, assuming only a small stack is left.
    body(1 << 20)
}

private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
    var done = false
    var mutex = pthread_mutex_t()
    var cond = pthread_cond_t()
    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }
    deinit {
        pthread_mutex_destroy(&mutex)
        pthread_cond_destroy(&cond)
    }
}

/// Runs `body` on a fresh thread with `stackSize` bytes of stack and waits for it.
func runOnLargeStack<T>(_ stackSize: Int, _ body: @escaping (Int) -> T) -> T {
    let slot = ResultSlot<T>()
    startThread(stackSize) { actualSize in
        let v = body(actualSize)
        pthread_mutex_lock(&slot.mutex)
        slot.value = v
        slot.done = true
        pthread_cond_signal(&slot.cond)
        pthread_mutex_unlock(&slot.mutex)
    }
    pthread_mutex_lock(&slot.mutex)
    while !slot.done { pthread_cond_wait(&slot.cond, &slot.mutex) }
    pthread_mutex_unlock(&slot.mutex)
    return slot.value!
}
