import Testing
@testable import LogtopTUI

@Suite("Screen buffer")
struct ScreenBufferTests {
    @Test func putClipsAtTheLimitAndTheEdge() {
        var b = ScreenBuffer(width: 10, height: 2)
        #expect(b.put("hello world", x: 0, y: 0, limit: 5) == 5)
        #expect(b.line(0) == "hello     ")
        #expect(b.put("abcdef", x: 7, y: 1) == 3)
        #expect(b.line(1) == "       abc")
        #expect(b.put("x", x: 0, y: 5) == 0)
    }

    @Test func controlCharactersNeverReachTheBuffer() {
        var b = ScreenBuffer(width: 40, height: 1)
        b.put("a\u{1b}[31mred\u{07}\u{9b}2J\u{202e}evil\r\n\t", x: 0, y: 0)
        #expect(b.isTerminalSafe)
        #expect(b.line(0).hasPrefix("a?[31mred??2J?evil??"))
    }

    @Test func wideCharactersTakeTwoCellsAndNeverStraddleTheLimit() {
        var b = ScreenBuffer(width: 6, height: 1)
        #expect(b.put("日本語", x: 0, y: 0, limit: 5) == 4)
        #expect(b[1, 0].isContinuation)
        #expect(b.line(0) == "日本  ")
        // Overwriting the second half of a wide character blanks its first half.
        b.put("x", x: 1, y: 0)
        #expect(b.line(0) == " x本  ")
    }

    @Test func asciiBufferReplacesEveryNonASCIICharacter() {
        var b = ScreenBuffer(width: 12, height: 1, asciiOnly: true)
        b.put("é─█日x", x: 0, y: 0)
        #expect(b.isASCII)
        #expect(b.line(0).hasPrefix("????x"))
    }

    @Test func fitCutsWithAnEllipsisByDisplayWidth() {
        #expect(DisplayText.fit("/static/css/main.css", 10) == "/static/c…")
        #expect(DisplayText.width(DisplayText.fit("日本語のパス", 7)) <= 7)
        #expect(DisplayText.fit("short", 10) == "short")
        #expect(DisplayText.fit("abcdef", 4, ellipsis: "…", asciiOnly: true) == "abc~")
        #expect(DisplayText.pad("ab", 4, right: true) == "  ab")
    }

    @Test func boxDrawsTitleAndInfo() {
        var b = ScreenBuffer(width: 30, height: 3)
        b.box(b.bounds, title: "Status codes", info: "60 s", glyphs: .unicode)
        #expect(b.line(0).hasPrefix("╭ Status codes "))
        #expect(b.line(0).hasSuffix(" 60 s ─╮"))
        #expect(b.line(2) == "╰" + String(repeating: "─", count: 28) + "╯")
        var a = ScreenBuffer(width: 30, height: 3, asciiOnly: true)
        a.box(a.bounds, title: "Status codes", glyphs: .ascii)
        #expect(a.line(0).hasPrefix("+ Status codes -"))
        #expect(a.line(1).hasPrefix("|") && a.line(1).hasSuffix("|"))
    }

    @Test func barsUsePartialBlocksInUnicodeAndWholeCellsInASCII() {
        let u = Glyphs.unicode.bar(0.55, width: 4)
        #expect(u.filled == "██▎")
        #expect(u.empty == "·")
        let a = Glyphs.ascii.bar(0.55, width: 4)
        #expect(a.filled == "##")
        #expect(a.empty == "..")
        #expect(Glyphs.ascii.bar(0.01, width: 10).filled == "#")
    }
}
