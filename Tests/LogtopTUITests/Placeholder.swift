import Testing
@testable import LogtopTUI
