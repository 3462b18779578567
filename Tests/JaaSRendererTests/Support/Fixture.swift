import Foundation
import TestSupport

/// A temporary directory of snippets and libraries for one test.
typealias Fixture = TemporaryDirectory
