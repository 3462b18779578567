extension Jsonnet {
    /// Parses each file without resolving or evaluating it, all on one thread with a
    /// large native stack, and returns the first syntax error of each file that has one
    /// (keyed by its name; the error's `headline` carries the position). Anything but a
    /// `JsonnetError` from the parser is reported as a static error without a position.
    public static func syntaxErrors(_ files: [(name: String, text: String)],
                                    stackSize: Int = EvaluationOptions().stackSize) -> [String: JsonnetError] {
        runOnLargeStack(stackSize) { _ in
            var errors: [String: JsonnetError] = [:]
            for file in files {
                do {
                    _ = try parseJsonnet(SourceFile(name: file.name, text: file.text))
                } catch let error as JsonnetError {
                    errors[file.name] = error
                } catch {
                    errors[file.name] = JsonnetError(kind: .staticError, message: "\(error)")
                }
            }
            return errors
        }
    }
}
