/// A LineEditor is the editing state of the prompt as a pure state
/// machine: keys in, buffer and cursor out. It knows nothing of terminals;
/// `EditorView` draws it and `InteractiveREPL` feeds it.
///
/// The buffer may hold several lines (a block typed over `...` lines, a
/// recalled block, a paste): Enter submits when `needsMore` says the text is
/// finished, and otherwise opens a new line, indented like the one before
/// (deeper after a `:`). Up and Down move between the lines of the buffer,
/// and at its first or last line walk the history, so a block comes back
/// whole and stays editable.
struct LineEditor: Sendable {
    /// What a key asks of the terminal.
    enum Outcome: Equatable, Sendable {
        /// The buffer or cursor changed (or nothing did): redraw.
        case edited
        /// Enter on a finished entry: run it.
        case submit(String)
        /// Ctrl-C: drop the entry, start afresh.
        case cancel
        /// Ctrl-D on an empty buffer: leave.
        case eof
        case clearScreen
        /// Tab twice with several choices: show them.
        case list([String])
        /// Nothing to do (no completion, no older entry): ring the bell.
        case bell
        /// Ctrl-Z: stop the process (the terminal restores itself first).
        case suspend
    }

    /// Reverse history search (Ctrl-R) in progress.
    struct Search: Sendable, Equatable {
        var query: [Character] = []
        /// The history entry found, by index.
        var match: Int?
        var failed = false
        /// The buffer before the search began (Esc and Ctrl-G go back to it).
        var savedBuffer: [Character]
        var savedCursor: Int
    }

    /// Where a completion goes and what it could be.
    struct Completions: Sendable, Equatable {
        /// Offset in characters where the replaced word starts.
        var start: Int
        /// Full replacements for `buffer[start..<cursor]`.
        var candidates: [String]
    }

    var buffer: [Character] = []
    var cursor = 0
    var search: Search?
    /// Earlier entries, oldest first.
    var history: [String] = []
    var historyIndex: Int?
    var draft: [Character] = []
    private var killed: [Character] = []
    private var lastWasTab = false

    /// Whether the text needs another line before it can run.
    var needsMore: @Sendable (String) -> Bool
    /// Completions for the text before the cursor.
    var complete: @Sendable (String) -> Completions

    init(needsMore: @escaping @Sendable (String) -> Bool = { _ in false },
         complete: @escaping @Sendable (String) -> Completions = { _ in Completions(start: 0, candidates: []) }) {
        self.needsMore = needsMore
        self.complete = complete
    }

    var text: String { String(buffer) }

    /// Starts a fresh entry.
    mutating func reset() {
        buffer = []
        cursor = 0
        search = nil
        historyIndex = nil
        draft = []
        lastWasTab = false
    }

    /// Sets the buffer (tests, and a recalled entry).
    mutating func set(_ text: String, cursor: Int? = nil) {
        buffer = Array(text)
        self.cursor = min(max(0, cursor ?? buffer.count), buffer.count)
    }

    // MARK: - Keys

    mutating func handle(_ key: Key) -> Outcome {
        if search != nil, let outcome = handleSearch(key) { return outcome }
        let wasTab = lastWasTab
        lastWasTab = false
        switch key {
        case .text(let scalar): insert(scalar)
        case .paste(let text): paste(text)
        case .enter: return enter()
        case .tab: return tab(again: wasTab)
        case .backTab: return .bell
        case .backspace: deleteBackward()
        case .delete: deleteForward()
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(buffer.count, cursor + 1)
        case .home: cursor = lineStart
        case .end: cursor = lineEnd
        case .wordLeft: cursor = wordStart(before: cursor)
        case .wordRight: cursor = wordEnd(after: cursor)
        case .up: return up()
        case .down: return down()
        case .altBackspace: kill(from: wordStart(before: cursor), to: cursor)
        case .alt("d"): kill(from: cursor, to: wordEnd(after: cursor))
        case .ctrl(let c): return control(c)
        case .escape, .alt, .pageUp, .pageDown, .insert, .unknown: break
        }
        return .edited
    }

    private mutating func control(_ c: Character) -> Outcome {
        switch c {
        case "a": cursor = lineStart
        case "e": cursor = lineEnd
        case "b": cursor = max(0, cursor - 1)
        case "f": cursor = min(buffer.count, cursor + 1)
        case "d":
            if buffer.isEmpty { return .eof }
            deleteForward()
        case "k":
            // At a line end, Ctrl-K joins the next line.
            kill(from: cursor, to: cursor == lineEnd && cursor < buffer.count ? cursor + 1 : lineEnd)
        case "u": kill(from: lineStart, to: cursor)
        case "w": kill(from: spaceWordStart(before: cursor), to: cursor)
        case "y": insert(killed)
        case "t": transpose()
        case "l": return .clearScreen
        case "c":
            reset()
            return .cancel
        case "p": return up()
        case "n": return down()
        case "r": startSearch()
        case "g": break
        case "z": return .suspend
        default: break
        }
        return .edited
    }

    // MARK: - Editing

    private mutating func insert(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { return }
        if scalar.value == 0x7F { return }
        // A combining mark joins the character before it.
        if cursor > 0, buffer[cursor - 1] != "\n" {
            let joined = String(buffer[cursor - 1]) + String(scalar)
            if joined.count == 1, let c = joined.first {
                buffer[cursor - 1] = c
                return
            }
        }
        buffer.insert(Character(scalar), at: cursor)
        cursor += 1
    }

    private mutating func insert(_ characters: [Character]) {
        buffer.insert(contentsOf: characters, at: cursor)
        cursor += characters.count
    }

    /// Pasted text goes in as it is, line ends and all (`\r\n` and `\r` become `\n`).
    private mutating func paste(_ text: String) {
        for scalar in text.replacing("\r\n", with: "\n").replacing("\r", with: "\n").unicodeScalars { insert(scalar) }
    }

    private mutating func enter() -> Outcome {
        let text = self.text
        if !needsMore(text) {
            historyIndex = nil
            return .submit(text)
        }
        insert(["\n"] + Array(indentForNewLine()))
        return .edited
    }

    /// The indentation of the current line, two spaces deeper after a `:`.
    private func indentForNewLine() -> String {
        let line = buffer[lineStart..<cursor]
        let indent = String(line.prefix { $0 == " " || $0 == "\t" })
        let scan = InputShape.Scan(String(line))
        return scan.opensBlock ? indent + "  " : indent
    }

    private mutating func deleteBackward() {
        guard cursor > 0 else { return }
        buffer.remove(at: cursor - 1)
        cursor -= 1
    }

    private mutating func deleteForward() {
        guard cursor < buffer.count else { return }
        buffer.remove(at: cursor)
    }

    private mutating func kill(from start: Int, to end: Int) {
        let s = max(0, min(start, buffer.count))
        let e = max(s, min(end, buffer.count))
        guard s < e else { return }
        killed = Array(buffer[s..<e])
        buffer.removeSubrange(s..<e)
        cursor = s
    }

    /// Swaps the characters around the cursor (the two before it at a line end).
    private mutating func transpose() {
        guard cursor > 0, buffer.count >= 2 else { return }
        var i = cursor
        if i == lineEnd { i -= 1 }
        guard i > 0, i < buffer.count, buffer[i] != "\n", buffer[i - 1] != "\n" else { return }
        buffer.swapAt(i - 1, i)
        cursor = i + 1
    }

    private mutating func tab(again: Bool) -> Outcome {
        // In a block's indentation, Tab indents.
        if buffer[lineStart..<cursor].allSatisfy({ $0 == " " }) && lineStart > 0 {
            insert([" ", " "])
            return .edited
        }
        let before = String(buffer[..<cursor])
        let found = complete(before)
        let start = max(0, min(found.start, cursor))
        let typed = String(buffer[start..<cursor])
        let candidates = found.candidates.filter { $0.hasPrefix(typed) }
        guard let first = candidates.first else { return .bell }
        if candidates.count == 1 {
            replace(start, with: first)
            return .edited
        }
        let common = candidates.dropFirst().reduce(first) { LineEditor.commonPrefix($0, $1) }
        if common.count > typed.count {
            replace(start, with: common)
            return .edited
        }
        if again { return .list(candidates.map { String($0.trimmingWhitespace) }) }
        lastWasTab = true
        return .bell
    }

    static func commonPrefix(_ a: String, _ b: String) -> String {
        String(zip(a, b).prefix { $0 == $1 }.map(\.0))
    }

    private mutating func replace(_ start: Int, with text: String) {
        buffer.replaceSubrange(start..<cursor, with: Array(text))
        cursor = start + text.count
    }

    // MARK: - Positions

    /// Where the cursor's line starts and ends (before its `\n`).
    var lineStart: Int {
        var i = cursor
        while i > 0 && buffer[i - 1] != "\n" { i -= 1 }
        return i
    }

    var lineEnd: Int {
        var i = cursor
        while i < buffer.count && buffer[i] != "\n" { i += 1 }
        return i
    }

    static func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    func wordStart(before position: Int) -> Int {
        var i = position
        while i > 0 && !LineEditor.isWord(buffer[i - 1]) { i -= 1 }
        while i > 0 && LineEditor.isWord(buffer[i - 1]) { i -= 1 }
        return i
    }

    func wordEnd(after position: Int) -> Int {
        var i = position
        while i < buffer.count && !LineEditor.isWord(buffer[i]) { i += 1 }
        while i < buffer.count && LineEditor.isWord(buffer[i]) { i += 1 }
        return i
    }

    /// Ctrl-W's word: back over spaces, then back to a space.
    func spaceWordStart(before position: Int) -> Int {
        var i = position
        while i > 0 && (buffer[i - 1] == " " || buffer[i - 1] == "\t") { i -= 1 }
        while i > 0 && buffer[i - 1] != " " && buffer[i - 1] != "\t" && buffer[i - 1] != "\n" { i -= 1 }
        return i
    }
}
