extension Interpreter {
    /// Parses and resolves `file`, with `std` as the only free variable.
    func compile(_ file: SourceFile) throws -> Node {
        let root = try parseJsonnet(file)
        try Resolver.resolve(root)
        return root
    }

    /// `compile(file)` through the shared parse cache, when there is one; `contents`
    /// are the file's bytes (the cache key besides its name).
    func compileShared(_ file: SourceFile, contents: @autoclosure () -> [UInt8]) throws -> Node {
        guard let parseCache else { return try compile(file) }
        return try parseCache.tree(name: file.name, contents: contents()) { try compile(file) }
    }

    /// The root frame of a file: `std` with `thisFile` set to the file's name.
    func rootEnv(fileName: String) -> Env {
        let thisFile = JObject(fields: [("thisFile", .str(fileName))], heap: heap, visibility: .hidden)
        let std = JObject.extend(stdBase, thisFile, heap: heap)
        return Env(parent: nil, slots: [.value(.object(std))], heap: heap)
    }

    /// Evaluates a whole program: the file, then top-level arguments, then output.
    func run(_ file: SourceFile, mode: OutputMode, options: EvaluationOptions) throws -> EvaluationOutput {
        try run(file, options: options) { try manifestOutput($0, mode: mode) }
    }

    /// Evaluates `file` and calls its top-level function with the top-level arguments,
    /// then hands the result to `manifest`; runtime errors get go-jsonnet's last trace
    /// line for the phase they happened in.
    func run<Output>(_ file: SourceFile, options: EvaluationOptions,
                     manifest: (Value) throws -> Output) throws -> Output {
        var phase = "During evaluation"
        do {
            let root = try compileShared(file, contents: Array(file.text.utf8))
            var value = try evalTopLevel(root, rootEnv(fileName: file.name))
            if case .function(let fn) = value {
                var named: [(String, Lazy)] = []
                for (name, arg) in options.topLevelArguments.sorted(by: { $0.key < $1.key }) {
                    named.append((name, .value(try externalValue(arg, name: name, kind: "top-level-arg"))))
                }
                phase = "Top-level function call"
                value = try call(fn, [], named)
            }
            phase = "During manifestation"
            return try manifest(value)
        } catch var e as JsonnetError {
            if e.kind == .runtime {
                e.trace.append(TraceFrame(range: .none, name: phase))
            }
            throw e
        }
    }

    /// `.json` or `.string` output as pieces of UTF-8 text, in order, with the
    /// trailing newline: what `Jsonnet.evaluateBytes` writes without making a `String`.
    func manifestOutputPieces(_ value: Value, mode: OutputMode) throws -> [[UInt8]] {
        switch mode {
        case .json:
            var m = JSONManifester.pretty(self)
            try m.write(value)
            m.appendNewline()
            return m.outputPieces
        default:
            guard case .single(let text) = try manifestOutput(value, mode: mode) else { return [] }
            return [Array(text.utf8)]
        }
    }

    /// Evaluates an `--ext-code`/`--tla-code` value or wraps an `--ext-str`.
    func externalValue(_ v: ExternalValue, name: String, kind: String) throws -> Value {
        switch v {
        case .string(let s):
            return .str(s)
        case .code(let code):
            let file = SourceFile(name: "<\(kind):\(name)>", text: code)
            let root = try compile(file)
            return try eval(root, rootEnv(fileName: file.name))
        }
    }

    /// `std.extVar(name)`, evaluated once per evaluation.
    package func extVar(_ name: String) throws -> Value {
        if let v = extVarCache[name] { return v }
        guard let ext = extVars[name] else { throw makeError("Undefined external variable: \(name)") }
        let v = try externalValue(ext, name: name, kind: "extvar")
        extVarCache[name] = v
        return v
    }

    func evalImport(_ node: ImportNode) throws -> Value {
        let importing = node.range.file?.name ?? ""
        let found: ImportedFile?
        do {
            found = try importer.resolve(node.path, from: importing)
        } catch let e as ImportReadError {
            throw makeError(e.message, at: node)
        } catch let e as JsonnetError {
            throw e
        } catch {
            throw makeError("couldn't open import \(quoteJSONString(node.path)): \(error)", at: node)
        }
        guard let file = found else {
            throw makeError("couldn't open import \(quoteJSONString(node.path)): no match locally or in the Jsonnet library paths", at: node)
        }
        switch node.kind {
        case .importStr:
            if let v = stringImportCache[file.path] { return v }
            let v = Value.str(String(decoding: file.contents, as: UTF8.self))
            stringImportCache[file.path] = v
            return v
        case .importBin:
            if let v = binaryImportCache[file.path] { return v }
            let v = Value.array(JArray(values: file.contents.map { Value.number(Double($0)) }))
            binaryImportCache[file.path] = v
            return v
        default:
            if let v = fileCache[file.path] { return v }
            let source = SourceFile(name: file.path, text: String(decoding: file.contents, as: UTF8.self))
            let root: Node
            if let cached = parsedCache[file.path] {
                root = cached
            } else {
                do {
                    root = try compileShared(source, contents: file.contents)
                } catch let e as JsonnetError where e.kind == .staticError {
                    // An imported file's static error surfaces as a runtime error of the import.
                    throw makeError(e.headline, at: node)
                }
                parsedCache[file.path] = root
            }
            // An import chain nests like a call: a file importing itself ends in
            // "max stack frames exceeded." instead of recursing natively.
            try enter()
            defer { leave() }
            let v = try eval(root, rootEnv(fileName: file.path))
            fileCache[file.path] = v
            return v
        }
    }

    /// Turns the program's value into output text.
    func manifestOutput(_ value: Value, mode: OutputMode) throws -> EvaluationOutput {
        switch mode {
        case .json:
            return .single(try manifestJSON(value, newline: true))
        case .string:
            guard case .string(let s) = value else {
                throw makeError("expected string result, got: \(value.typeName)")
            }
            return .single(s.string + "\n")
        case .multi(let stringFields):
            guard case .object(let o) = value else {
                throw makeError("multi mode: top-level object was a \(value.typeName), should be an object whose keys are filenames and values hold the JSON for that file.")
            }
            var files: [(name: String, content: String)] = []
            for name in o.fieldNames(includeHidden: false) {
                let v = try o.get(name, self)!
                if stringFields {
                    guard case .string(let s) = v else {
                        throw makeError("multi mode: value of field \(name) was a \(v.typeName), should be a string.")
                    }
                    files.append((name, s.string))
                } else {
                    files.append((name, try manifestJSON(v, newline: true)))
                }
            }
            return .multi(files)
        case .yamlStream:
            guard case .array(let a) = value else {
                throw makeError("stream mode: top-level object was a \(value.typeName), should be an array whose elements hold the JSON for each document in the stream.")
            }
            var out = ""
            for i in 0..<a.count {
                out += "---\n"
                out += try manifestJSON(try a.get(i, self))
                out += "\n"
            }
            if a.count > 0 { out += "...\n" }
            return .single(out)
        }
    }

    /// Pretty JSON in go-jsonnet's layout, without a trailing newline.
    /// `v` as go-jsonnet's program output; with `newline`, followed by a line break
    /// (added to the bytes before they become a `String`: one copy of the text, not two).
    package func manifestJSON(_ v: Value, newline: Bool = false) throws -> String {
        var m = JSONManifester.pretty(self)
        try m.write(v)
        if newline { m.appendNewline() }
        return m.output
    }
}
