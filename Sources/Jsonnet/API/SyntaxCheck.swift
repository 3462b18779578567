extension Jsonnet {
    /// Parses `source` (named `fileName` in the error) without resolving or evaluating
    /// it, on a thread with a large native stack; throws the first syntax error as a
    /// static `JsonnetError` whose `headline` carries the position.
    public static func checkSyntax(source: String, fileName: String,
                                   stackSize: Int = EvaluationOptions().stackSize) throws {
        let result: Result<Void, any Error> = runOnLargeStack(stackSize) { _ in
            Result { _ = try parseJsonnet(SourceFile(name: fileName, text: source)) }
        }
        try result.get()
    }
}
