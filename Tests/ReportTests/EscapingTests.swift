import Foundation
import Testing
@testable import Report

@Suite struct EscapingTests {
    @Test func htmlEscapesTheFiveCharactersAndControls() {
        #expect(Escaping.html("<a href=\"x\">&'</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;")
        #expect(Escaping.html("tab\tok\u{1}") == "tab\tok\u{FFFD}")
        #expect(Escaping.html("ünï ✓") == "ünï ✓")
    }

    @Test func fileNamesKeepOnlySafeCharacters() {
        #expect(Escaping.fileName("../a b/c_d-1") == "___a_b_c_d-1")
    }

    @Test func numbersFormat() {
        #expect(Fmt.p(0.0001234) == "1.23e-04" && Fmt.p(0.05) == "0.050" && Fmt.p(.nan) == "–")
        #expect(Fmt.duration(59.94) == "59.9 s" && Fmt.duration(3725) == "1 h 2 min")
        #expect(Fmt.tick(0.4) == "0.40" && Fmt.tick(3) == "3")
    }
}
