import Testing
@testable import Faces
