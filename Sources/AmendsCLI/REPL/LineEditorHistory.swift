/// The history side of the line editor: Up and Down through the lines of
/// the buffer and then through earlier entries, and reverse search (Ctrl-R).
extension LineEditor {
    // MARK: - Up and down

    mutating func up() -> Outcome {
        let start = lineStart
        guard start > 0 else { return historyBack() }
        let column = cursor - start
        cursor = start - 1
        let previousStart = lineStart
        cursor = min(previousStart + column, start - 1)
        return .edited
    }

    mutating func down() -> Outcome {
        let end = lineEnd
        guard end < buffer.count else { return historyForward() }
        let column = cursor - lineStart
        cursor = end + 1
        cursor = min(cursor + column, lineEnd)
        return .edited
    }

    // MARK: - History

    mutating func historyBack() -> Outcome {
        let current = historyIndex ?? history.count
        guard current > 0 else { return .bell }
        if historyIndex == nil { draft = buffer }
        historyIndex = current - 1
        set(history[current - 1])
        return .edited
    }

    mutating func historyForward() -> Outcome {
        guard let current = historyIndex else { return .bell }
        if current + 1 < history.count {
            historyIndex = current + 1
            set(history[current + 1])
        } else {
            historyIndex = nil
            buffer = draft
            cursor = buffer.count
        }
        return .edited
    }

    // MARK: - Reverse search

    mutating func startSearch() {
        search = Search(savedBuffer: buffer, savedCursor: cursor)
    }

    /// A key during a search: nil when the search ended and the key is to be
    /// handled as usual.
    mutating func handleSearch(_ key: Key) -> Outcome? {
        guard var s = search else { return nil }
        switch key {
        case .text(let scalar):
            s.query.append(Character(scalar))
            search = s
            find(from: s.match ?? history.count - 1, skipping: nil)
        case .backspace:
            if !s.query.isEmpty { s.query.removeLast() }
            search = s
            find(from: history.count - 1, skipping: nil)
        case .ctrl("r"):
            if let m = s.match {
                find(from: m - 1, skipping: history[m])
            } else if !s.query.isEmpty {
                find(from: history.count - 1, skipping: nil)
            }
        case .escape, .ctrl("g"), .ctrl("c"):
            buffer = s.savedBuffer
            cursor = s.savedCursor
            search = nil
        default:
            // Any other key accepts what was found and then does its work.
            search = nil
            return handle(key)
        }
        return .edited
    }

    /// Finds the newest entry at or before `index` holding the query, other
    /// than `skip` (duplicates of the last match are passed over).
    mutating func find(from index: Int, skipping skip: String?) {
        guard var s = search else { return }
        let query = String(s.query)
        var i = min(index, history.count - 1)
        while i >= 0 {
            let entry = history[i]
            if entry != skip, query.isEmpty || entry.contains(query) {
                s.match = i
                s.failed = false
                search = s
                let found = Array(entry)
                buffer = found
                cursor = LineEditor.offset(of: s.query, in: found) ?? found.count
                return
            }
            i -= 1
        }
        s.failed = !query.isEmpty
        search = s
    }

    static func offset(of needle: [Character], in haystack: [Character]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        for i in stride(from: haystack.count - needle.count, through: 0, by: -1)
        where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
