import Foundation
import Testing
@testable import Report

@Suite struct EscapingTests {
    @Test func htmlEscapesTheFiveCharactersAndControls() {
        #expect(Escaping.html("<a href=\"x\">&'</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;")
        #expect(Escaping.html("tab\tok\u{1}") == "tab\tok\u{FFFD}")
        #expect(Escaping.html("ünï ✓") == "ünï ✓")
    }

    @Test func markdownEscapesInlineMarkupAndLeadingBlockMarkers() {
        #expect(Escaping.markdown("a|b *c* _d_ [e](f) `g` ~h") == "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` \\~h")
        #expect(Escaping.markdown("# x - y") == "\\# x - y")
        #expect(Escaping.markdown("-1.5 > 2\nz") == "\\-1.5 &gt; 2 z")
        #expect(Escaping.markdown("Cohen's \"d\" <b>&\u{1}\r\n") == "Cohen's \"d\" &lt;b&gt;&amp;\u{FFFD} ")
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
