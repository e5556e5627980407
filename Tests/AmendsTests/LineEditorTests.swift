import Testing
@testable import AmendsCLI

/// The REPL's line editor as a state machine: bytes as a terminal sends
/// them go through the `KeyDecoder`, keys through the `LineEditor`, and the
/// buffer and cursor come out; the `EditorView` turns them into screen
/// bytes. No terminal is involved.
struct LineEditorTests {
    // MARK: - Helpers

    /// Feeds bytes (as a terminal sends them) through a decoder into an
    /// editor; returns the outcomes of the keys.
    @discardableResult
    static func type(_ bytes: [UInt8], into editor: inout LineEditor) -> [LineEditor.Outcome] {
        var decoder = KeyDecoder()
        return decoder.feed(bytes).map { editor.handle($0) }
    }

    @discardableResult
    static func type(_ text: String, into editor: inout LineEditor) -> [LineEditor.Outcome] {
        type(Array(text.utf8), into: &editor)
    }

    static let esc: UInt8 = 0x1B
    static func csi(_ s: String) -> [UInt8] { [esc, UInt8(ascii: "[")] + Array(s.utf8) }
    static func ctrl(_ c: Character) -> [UInt8] { [UInt8(c.asciiValue ?? 0x40) & 0x1F] }

    /// An editor whose entries need more after a line ending in `:` (as the REPL's do).
    static func replEditor() -> LineEditor {
        LineEditor(needsMore: { InputShape.needsMore($0) })
    }

    // MARK: - Key decoding

    @Test func decodesPlainTextAndControlKeys() {
        var d = KeyDecoder()
        #expect(d.feed(Array("ab".utf8)) == [.text("a"), .text("b")])
        #expect(d.feed([0x0D, 0x0A, 0x09, 0x7F, 0x08]) == [.enter, .enter, .tab, .backspace, .backspace])
        #expect(d.feed([0x01, 0x05, 0x12, 0x17]) == [.ctrl("a"), .ctrl("e"), .ctrl("r"), .ctrl("w")])
    }

    @Test func decodesEscapeSequencesAsTmuxSendsThem() {
        var d = KeyDecoder()
        #expect(d.feed(Self.csi("1~")) == [.home])
        #expect(d.feed(Self.csi("4~")) == [.end])
        #expect(d.feed(Self.csi("3~")) == [.delete])
        #expect(d.feed(Self.csi("1;5C")) == [.wordRight])
        #expect(d.feed(Self.csi("1;5D")) == [.wordLeft])
        #expect(d.feed(Self.csi("1;3C")) == [.wordRight])
        #expect(d.feed(Self.csi("7~") + Self.csi("8~")) == [.home, .end])
        #expect(d.feed(Self.csi("H") + Self.csi("F")) == [.home, .end])
        #expect(d.feed(Self.csi("A") + Self.csi("B") + Self.csi("C") + Self.csi("D")) == [.up, .down, .right, .left])
        #expect(d.feed([Self.esc, UInt8(ascii: "O"), UInt8(ascii: "H"), Self.esc, UInt8(ascii: "O"), UInt8(ascii: "F")]) == [.home, .end])
        #expect(d.feed([Self.esc, UInt8(ascii: "b"), Self.esc, UInt8(ascii: "f"), Self.esc, 0x7F]) == [.wordLeft, .wordRight, .altBackspace])
        #expect(d.feed(Self.csi("5~") + Self.csi("Z")) == [.pageUp, .backTab])
    }

    @Test func sequencesSplitAcrossReadsStillDecode() {
        var d = KeyDecoder()
        #expect(d.feed([Self.esc]).isEmpty)
        #expect(d.pendingEscape)
        #expect(d.feed([UInt8(ascii: "[")]).isEmpty)
        #expect(d.feed(Array("1;5".utf8)).isEmpty)
        #expect(d.feed([UInt8(ascii: "C")]) == [.wordRight])
    }

    @Test func loneEscapeComesOutWhenFlushed() {
        var d = KeyDecoder()
        #expect(d.feed([Self.esc]).isEmpty)
        #expect(d.flushEscape() == .escape)
        #expect(d.flushEscape() == nil)
        #expect(d.feed(Array("x".utf8)) == [.text("x")])
        // Esc Esc: the first is a lone Esc.
        #expect(d.feed([Self.esc, Self.esc]) == [.escape])
        #expect(d.flushEscape() == .escape)
    }

    @Test func decodesMultiByteUTF8AcrossReads() {
        var d = KeyDecoder()
        let e = Array("é".utf8)          // C3 A9
        let face = Array("😀".utf8)       // F0 9F 98 80
        #expect(d.feed([e[0]]).isEmpty)
        #expect(d.feed([e[1]]) == [.text("é")])
        #expect(d.feed(Array(face[0..<2])).isEmpty)
        #expect(d.feed(Array(face[2...])) == [.text("😀")])
        #expect(d.feed(Array("漢".utf8)) == [.text("漢")])
    }

    @Test func invalidUTF8BecomesReplacementAndDecodingGoesOn() {
        var d = KeyDecoder()
        #expect(d.feed([0xC3, UInt8(ascii: "a")]) == [.text("\u{FFFD}"), .text("a")])
        #expect(d.feed([0xFF]) == [.text("\u{FFFD}")])
        #expect(d.feed([0xED, 0xA0, 0x80]) == [.text("\u{FFFD}")]) // a surrogate
    }

    @Test func bracketedPasteKeepsLineEnds() {
        var d = KeyDecoder()
        let keys = d.feed(Self.csi("200~") + Array("when x:\r  notify y\r".utf8) + Self.csi("201~") + [UInt8(ascii: "z")])
        #expect(keys == [.paste("when x:\r  notify y\r"), .text("z")])
    }

    // MARK: - Editing

    @Test func typingMovingAndInserting() {
        var e = LineEditor()
        Self.type("hello", into: &e)
        #expect(e.text == "hello" && e.cursor == 5)
        Self.type(Self.csi("D") + Self.csi("D") + Array("X".utf8), into: &e)
        #expect(e.text == "helXlo" && e.cursor == 4)
        Self.type(Self.csi("1~"), into: &e)
        #expect(e.cursor == 0)
        Self.type(Self.csi("4~"), into: &e)
        #expect(e.cursor == 6)
        Self.type(Self.ctrl("a") + Self.ctrl("f") + Self.ctrl("f"), into: &e)
        #expect(e.cursor == 2)
        Self.type(Self.ctrl("b") + Self.ctrl("e"), into: &e)
        #expect(e.cursor == 6)
    }

    @Test func deletingAndKilling() {
        var e = LineEditor()
        Self.type("severity >= high", into: &e)
        Self.type([0x7F], into: &e)
        #expect(e.text == "severity >= hig")
        Self.type(Self.ctrl("w"), into: &e)
        #expect(e.text == "severity >= ")
        Self.type(Self.ctrl("y"), into: &e)
        #expect(e.text == "severity >= hig")
        Self.type(Self.ctrl("a") + Self.csi("3~"), into: &e)
        #expect(e.text == "everity >= hig" && e.cursor == 0)
        Self.type(Self.ctrl("d"), into: &e)
        #expect(e.text == "verity >= hig")
        Self.type(Self.csi("1;5C") + Self.ctrl("k"), into: &e)
        #expect(e.text == "verity" && e.cursor == 6)
        Self.type(Self.csi("D") + Self.ctrl("u"), into: &e)
        #expect(e.text == "y" && e.cursor == 0)
    }

    @Test func wordMovesAndAltBackspace() {
        var e = LineEditor()
        Self.type("tier >= premium", into: &e)
        Self.type(Self.csi("1;5D"), into: &e)
        #expect(e.cursor == 8)
        Self.type([Self.esc, UInt8(ascii: "b")], into: &e)
        #expect(e.cursor == 0)
        Self.type([Self.esc, UInt8(ascii: "f")], into: &e)
        #expect(e.cursor == 4)
        Self.type(Self.ctrl("e") + [Self.esc, 0x7F], into: &e)
        #expect(e.text == "tier >= ")
    }

    @Test func transposeSwapsCharacters() {
        var e = LineEditor()
        Self.type("teir", into: &e)
        Self.type(Self.csi("D") + Self.csi("D") + Self.ctrl("t"), into: &e)
        #expect(e.text == "tier" && e.cursor == 3)
        // At the end of the line: the two characters before the cursor.
        Self.type(Self.ctrl("e") + Self.ctrl("t"), into: &e)
        #expect(e.text == "tire")
    }

    @Test func controlDAndControlC() {
        var e = LineEditor()
        #expect(Self.type(Self.ctrl("d"), into: &e) == [.eof])
        Self.type("abc", into: &e)
        #expect(Self.type(Self.ctrl("a") + Self.ctrl("d"), into: &e) == [.edited, .edited])
        #expect(e.text == "bc")
        #expect(Self.type(Self.ctrl("c"), into: &e) == [.cancel])
        #expect(e.text == "" && e.cursor == 0)
        #expect(Self.type(Self.ctrl("l") + Self.ctrl("z"), into: &e) == [.clearScreen, .suspend])
    }

    @Test func utf8AwareEditing() {
        var e = LineEditor()
        Self.type("café 漢字 😀", into: &e)
        #expect(e.buffer.count == 9)
        Self.type([0x7F], into: &e)
        #expect(e.text == "café 漢字 ")
        Self.type(Self.csi("D") + Self.csi("D") + [0x7F], into: &e)
        #expect(e.text == "café 字 " && e.cursor == 5)
        // A combining accent joins the letter before it: one character.
        var f = LineEditor()
        Self.type(Array("cafe\u{301}".utf8), into: &f)
        #expect(f.buffer.count == 4 && f.text == "cafe\u{301}")
        Self.type([0x7F], into: &f)
        #expect(f.text == "caf")
    }

    @Test func enterSubmitsOrOpensAnIndentedLine() {
        var e = Self.replEditor()
        #expect(Self.type("{severity: high}\r", into: &e).last == .submit("{severity: high}"))
        e.reset()
        Self.type("rule \"x\" when severity >= high:\r", into: &e)
        #expect(e.text == "rule \"x\" when severity >= high:\n  ")
        Self.type("notify supervisor\r", into: &e)
        #expect(e.text == "rule \"x\" when severity >= high:\n  notify supervisor\n  ")
        let outcomes = Self.type("\r", into: &e)
        #expect(outcomes == [.submit("rule \"x\" when severity >= high:\n  notify supervisor\n  ")])
        e.reset()
        Self.type("{severity: high,\rtier: basic}", into: &e)
        #expect(e.text == "{severity: high,\ntier: basic}")
        #expect(Self.type("\r", into: &e) == [.submit("{severity: high,\ntier: basic}")])
    }

    @Test func pasteInsertsLinesWithoutSubmitting() {
        var e = Self.replEditor()
        let outcomes = Self.type(Self.csi("200~") + Array("when a:\r\n  notify b\r\n".utf8) + Self.csi("201~"), into: &e)
        #expect(outcomes == [.edited])
        #expect(e.text == "when a:\n  notify b\n")
    }

    @Test func upAndDownMoveInsideABlockThenThroughHistory() {
        var e = Self.replEditor()
        e.history = ["{severity: high}", "{severity: low,\n tier: basic}"]
        Self.type(Array("draft".utf8) + Self.csi("A"), into: &e)
        // The block comes back whole, cursor at its end.
        #expect(e.text == "{severity: low,\n tier: basic}" && e.cursor == e.buffer.count)
        Self.type(Self.csi("A"), into: &e)
        #expect(e.text == "{severity: low,\n tier: basic}" && e.cursor == 13) // up a line, same column
        Self.type(Self.csi("A"), into: &e)
        #expect(e.text == "{severity: high}")
        #expect(Self.type(Self.csi("A"), into: &e) == [.bell])
        Self.type(Self.csi("B"), into: &e)
        #expect(e.text == "{severity: low,\n tier: basic}" && e.cursor == e.buffer.count)
        Self.type(Self.csi("B"), into: &e)
        #expect(e.text == "draft")
        // The recalled block is edited like any text, then submitted as one entry.
        Self.type(Self.ctrl("p") + Self.csi("D") + Array(", repeat: 2\r".utf8), into: &e)
        #expect(e.text == "{severity: low,\n tier: basic, repeat: 2}")
    }

    @Test func reverseSearchFindsOlderEntriesAndSkipsDuplicates() {
        var e = Self.replEditor()
        e.history = ["severity >= high", "{tier: basic}", "severity >= low", "severity >= low"]
        Self.type(Self.ctrl("r") + Array("sev".utf8), into: &e)
        #expect(e.search?.match == 3 && e.text == "severity >= low")
        Self.type(Self.ctrl("r"), into: &e)
        #expect(e.search?.match == 0 && e.text == "severity >= high")
        Self.type(Array("x".utf8), into: &e)
        #expect(e.search?.failed == true)
        Self.type([0x7F], into: &e)
        #expect(e.search?.failed == false)
        // Esc gives back what was there before.
        _ = e.handle(.escape)
        #expect(e.search == nil && e.text == "")
        // Enter accepts the match and runs it.
        let outcomes = Self.type(Self.ctrl("r") + Array("tier\r".utf8), into: &e)
        #expect(outcomes.last == .submit("{tier: basic}"))
    }

    @Test func tabCompletesOneChoiceTheCommonPartOrListsOnTheSecondTab() {
        let words = ["severity: ", "sender: ", "tier: "]
        var e = LineEditor(complete: { before in
            let word = before.reversed().prefix { $0.isLetter }.count
            return LineEditor.Completions(start: before.count - word, candidates: words)
        })
        Self.type("{ti\t", into: &e)
        #expect(e.text == "{tier: ")
        e.reset()
        Self.type("{s\t", into: &e)
        #expect(e.text == "{se")
        #expect(Self.type("\t", into: &e) == [.bell])
        #expect(Self.type("\t", into: &e) == [.list(["severity:", "sender:"])])
        e.reset()
        #expect(Self.type("{x\t", into: &e) == [.edited, .edited, .bell])
    }

    // MARK: - Drawing

    @Test func drawsThePromptAndPlacesTheCursor() {
        var view = EditorView()
        var e = LineEditor()
        Self.type("abc" , into: &e)
        Self.type(Self.csi("D") + Self.csi("D"), into: &e)
        let out = view.draw(e)
        #expect(out.contains("\r\u{1B}[J>>> abc"))
        #expect(out.hasSuffix("\r\u{1B}[5C\u{1B}[?25h"))
        #expect(view.cursorRow == 0 && view.endRow == 0)
    }

    @Test func drawsBlocksAndWrapsLongLines() {
        var view = EditorView()
        view.columns = 12
        var e = LineEditor()
        e.set("when a:\n  notify bbbbbb", cursor: 3)
        let out = view.draw(e)
        #expect(out.contains(">>> when a:\r\n... "))
        // `... ` and 15 characters: 19 columns, two rows; the cursor stays on the entry's first row.
        #expect(view.endRow == 2 && view.cursorRow == 0)
        #expect(out.hasSuffix("\u{1B}[2A\r\u{1B}[7C\u{1B}[?25h"))
        // Redrawing goes back up to the first row before clearing.
        e.set("x")
        let again = view.draw(e)
        #expect(again.hasPrefix("\u{1B}[?25l\r\u{1B}[J"))
        e.set("when a:\n  notify bbbbbb")
        _ = view.draw(e)
        #expect(view.cursorRow == 2)
        #expect(view.draw(e).hasPrefix("\u{1B}[?25l\u{1B}[2A\r\u{1B}[J"))
        #expect(view.leave() == "\r\n")
    }

    @Test func aFullRowMakesTheTerminalWrap() {
        var view = EditorView()
        view.columns = 8
        var e = LineEditor()
        e.set("abcd")
        let out = view.draw(e)
        #expect(out.contains(">>> abcd\r\n"))
        #expect(view.cursorRow == 1)
    }

    @Test func searchShowsItsPrompt() {
        var view = EditorView()
        var e = LineEditor()
        e.history = ["{tier: basic}"]
        Self.type(Self.ctrl("r") + Array("ti".utf8), into: &e)
        #expect(view.draw(e).contains("(reverse-i-search)`ti': {tier: basic}"))
    }

    @Test func characterWidths() {
        #expect(EditorView.width(of: "a") == 1)
        #expect(EditorView.width(of: "é") == 1)
        #expect(EditorView.width(of: "漢") == 2)
        #expect(EditorView.width(of: "😀") == 2)
        #expect(EditorView.width(of: "\t") == 4)
        var view = EditorView()
        var e = LineEditor()
        e.set("漢字")
        #expect(view.draw(e).hasSuffix("\r\u{1B}[8C\u{1B}[?25h"))
    }
}
