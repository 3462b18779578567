func parseJsonnet(_ f: SourceFile) throws -> Node { fatalError() }
