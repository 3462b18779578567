#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Jsonnet

/// `jsonnet-bench FILE [--runs N] [--max-stack N] [-J DIR]...`: evaluates FILE
/// in-process N times with our engine and prints one JSON line with the median
/// wall time, every run's time, the peak resident set size and the outcome.
/// Runs after the first reuse the parsed files (the shared parse cache) unless
/// `JAAS_PARSE_CACHE_BYTES=0` is set, so the two show what parsing once saves.
var args = Array(CommandLine.arguments.dropFirst())
var runs = 3
var maxStack = 500
var file: String?
var libraryPaths: [String] = []
while !args.isEmpty {
    let a = args.removeFirst()
    let value = a.hasPrefix("-") && !args.isEmpty ? args.removeFirst() : nil
    switch a {
    case "--runs": runs = value.flatMap { Int($0) } ?? 3
    case "--max-stack": maxStack = value.flatMap { Int($0) } ?? 500
    case "-J": libraryPaths += value.map { [$0] } ?? []
    default: file = a
    }
}
guard let file, let bytes = readFileBytes(file) else {
    print("usage: jsonnet-bench FILE [--runs N] [--max-stack N] [-J DIR]...")
    exit(2)
}
let source = String(decoding: bytes, as: UTF8.self)
let options = EvaluationOptions(importer: FileSystemImporter(libraryPaths: libraryPaths), maxStack: maxStack,
                                stackSize: max(512 << 20, maxStack * 4096))
var times: [Double] = []
var failure: String?
var outputBytes = 0
for _ in 0..<runs {
    let start = ContinuousClock.now
    do {
        if case .single(let s) = try Jsonnet.evaluate(source: source, fileName: file, options: options) {
            outputBytes = s.utf8.count
        }
    } catch {
        failure = "\(error)".split(separator: "\n").first.map(String.init) ?? "error"
    }
    let d = ContinuousClock.now - start
    times.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let median = times.sorted()[times.count / 2]
let errorJSON = failure.map { quoteJSONString($0) } ?? "null"
print("{\"median\": \(median), \"times\": [\(times.map { "\($0)" }.joined(separator: ", "))], "
      + "\"maxrss_kb\": \(usage.ru_maxrss), \"output_bytes\": \(outputBytes), \"error\": \(errorJSON)}")
