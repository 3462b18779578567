import Jsonnet

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parsed command line of the `jsonnet` tool (go-jsonnet's flags).
struct CommandLineConfig {
    var input: String?
    var inputIsCode = false
    var libraryPaths: [String] = []
    var outputFile: String?
    var multiDirectory: String?
    var createOutputDirs = false
    var yamlStream = false
    var stringOutput = false
    var maxStack = 500
    var maxTrace = 20
    var maxMemory: Int?
    var extVars: [String: ExternalValue] = [:]
    var tlas: [String: ExternalValue] = [:]
    var showHelp = false
    var showVersion = false
}

/// A command-line mistake: printed with the usage text, exit status 1.
struct UsageError: Error {
    let message: String
}

/// Parses `args` (without the program name).
func parseCommandLine(_ args: [String], environment: (String) -> String?) throws -> CommandLineConfig {
    var config = CommandLineConfig()
    var i = 0
    var endOfOptions = false

    func next(_ flag: String) throws -> String {
        i += 1
        guard i < args.count else { throw UsageError(message: "\(flag) requires an argument") }
        return args[i]
    }

    func binding(_ flag: String, _ spec: String, allowEnv: Bool) throws -> (String, String) {
        if let eq = spec.firstIndex(of: "=") {
            return (String(spec[..<eq]), String(spec[spec.index(after: eq)...]))
        }
        guard allowEnv else { throw UsageError(message: "\(flag) requires <var>=<file>") }
        guard let value = environment(spec) else {
            throw UsageError(message: "environment variable \(spec) was undefined.")
        }
        return (spec, value)
    }

    func fileBinding(_ flag: String, _ spec: String) throws -> (String, String) {
        let (name, path) = try binding(flag, spec, allowEnv: false)
        guard let bytes = readFileBytes(path) else {
            throw UsageError(message: "couldn't open file \(path)")
        }
        return (name, String(decoding: bytes, as: UTF8.self))
    }

    func number(_ flag: String) throws -> Int {
        let text = try next(flag)
        guard let n = Int(text), n >= 0 else { throw UsageError(message: "invalid value for \(flag): \(text)") }
        return n
    }

    while i < args.count {
        let arg = args[i]
        if endOfOptions || arg == "-" || !arg.hasPrefix("-") {
            if config.input != nil { throw UsageError(message: "only one filename is allowed") }
            config.input = arg
            i += 1
            continue
        }
        switch arg {
        case "--": endOfOptions = true
        case "-h", "--help": config.showHelp = true
        case "-v", "--version": config.showVersion = true
        case "-e", "--exec": config.inputIsCode = true
        case "-J", "--jpath": config.libraryPaths.append(try next(arg))
        case "-o", "--output-file": config.outputFile = try next(arg)
        case "-m", "--multi": config.multiDirectory = try next(arg)
        case "-c", "--create-output-dirs": config.createOutputDirs = true
        case "-y", "--yaml-stream": config.yamlStream = true
        case "-S", "--string": config.stringOutput = true
        case "-s", "--max-stack": config.maxStack = try number(arg)
        case "-t", "--max-trace": config.maxTrace = try number(arg)
        case "--max-memory":
            let text = try next(arg)
            guard let bytes = parseByteSize(text) else {
                throw UsageError(message: "\(arg) expects a size such as 512Mi, 2Gi or 1048576, got \(text)")
            }
            config.maxMemory = bytes
        case "--gc-min-objects", "--gc-growth-trigger": _ = try next(arg)
        case "-V", "--ext-str":
            let (k, v) = try binding(arg, try next(arg), allowEnv: true)
            config.extVars[k] = .string(v)
        case "--ext-str-file":
            let (k, v) = try fileBinding(arg, try next(arg))
            config.extVars[k] = .string(v)
        case "--ext-code":
            let (k, v) = try binding(arg, try next(arg), allowEnv: true)
            config.extVars[k] = .code(v)
        case "--ext-code-file":
            let (k, v) = try fileBinding(arg, try next(arg))
            config.extVars[k] = .code(v)
        case "-A", "--tla-str":
            let (k, v) = try binding(arg, try next(arg), allowEnv: true)
            config.tlas[k] = .string(v)
        case "--tla-str-file":
            let (k, v) = try fileBinding(arg, try next(arg))
            config.tlas[k] = .string(v)
        case "--tla-code":
            let (k, v) = try binding(arg, try next(arg), allowEnv: true)
            config.tlas[k] = .code(v)
        case "--tla-code-file":
            let (k, v) = try fileBinding(arg, try next(arg))
            config.tlas[k] = .code(v)
        default:
            throw UsageError(message: "unknown argument: \(arg)")
        }
        i += 1
    }
    if !config.showHelp && !config.showVersion && config.input == nil {
        throw UsageError(message: "must give filename")
    }
    return config
}

let usageText = """
Usage: jsonnet [options] <file | - | code with -e>

Evaluates a Jsonnet program and prints the result as JSON.

Options:
  -e, --exec                 the argument is Jsonnet code, not a file name
  -J, --jpath <dir>          add a library directory; later ones are searched
                             first, JSONNET_PATH (colon-separated) last
  -o, --output-file <file>   write the result to <file> instead of stdout
  -m, --multi <dir>          the result is an object of file name -> content;
                             write each file into <dir> and list them on stdout
  -c, --create-output-dirs   create missing parent directories of output files
  -y, --yaml-stream          the result is an array; print it as a YAML stream
  -S, --string               the result is a string; print it without quoting
  -s, --max-stack <n>        maximum call depth (default 500)
  -t, --max-trace <n>        maximum stack trace lines in errors (default 20)
  --max-memory <size>        memory budget for strings, arrays and objects
                             (bytes, or with Ki, Mi, Gi; default unlimited)
  --version                  print the version and exit
  -h, --help                 print this help and exit

External variables (std.extVar) and top-level arguments:
  -V, --ext-str <var>[=<value>]    string; without =<value>, from the environment
  --ext-str-file <var>=<file>      string read from a file
  --ext-code <var>[=<code>]        Jsonnet code; without =<code>, from the environment
  --ext-code-file <var>=<file>     Jsonnet code read from a file
  -A, --tla-str <var>[=<value>]    like --ext-str, for a top-level argument
  --tla-str-file <var>=<file>
  --tla-code <var>[=<code>]
  --tla-code-file <var>=<file>

Use - as the file to read standard input, and -- to end option parsing.
Exit status: 0 on success, 1 on any error (the message goes to stderr).
"""
