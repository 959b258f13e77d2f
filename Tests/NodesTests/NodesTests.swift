import Testing
@testable import Nodes
