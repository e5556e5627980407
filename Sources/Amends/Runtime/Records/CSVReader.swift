/// CSV as RFC 4180 describes it, with the leniencies real exports need.
///
/// - Fields are separated by `,`. A field that starts with `"` is quoted: it
///   may hold commas, CR, LF and CRLF, and `""` stands for one quote.
/// - A record ends at LF, CRLF or a lone CR outside quotes. U+0085 (bytes
///   C2 85) and U+2028 are ordinary bytes, never record ends: the reader
///   works on bytes and never on Unicode "newline" characters.
/// - A quote in the middle of an unquoted field is kept as it is (as Excel
///   does); text after a quoted field's closing quote (`"abc"def`) is an
///   error for that record.
/// - A quote never closed before the input ends is a mistake, not a field
///   holding the rest of the input: its record ends at the first line end
///   after that quote (an error record) and reading goes on from the next
///   line. When the record had grown past the size limit (so its bytes
///   were dropped), the stream reads that part of the input again, if it
///   can (a file, not a pipe).
/// - A blank line (no bytes at all between two record ends) is not a record.
/// - The UTF-8 byte order mark at the start of the input is skipped (by the
///   stream, for every format).
///
/// Reading happens in two steps so that rows can be decoded on other
/// threads: `CSVFramer` finds where each row ends in a stream of chunks,
/// and `CSVCellScanner` splits one row into cells.

// MARK: - Frames

/// A Frame is what a framer found next in the buffered input.
enum Frame: Equatable {
    /// A record's bytes, `buffer[start..<end]`, starting on `line` at
    /// `column`.
    case record(start: Int, end: Int, line: Int, column: Int = 1)
    /// An error in place of a record (nothing to decode).
    case failure(String, line: Int)
    /// A record over the size limit: it was skipped, never held whole
    /// (reported once its end is found).
    case tooLarge(line: Int, hint: String?)
    /// More input is needed.
    case more
    /// The input is exhausted.
    case end
    /// A CSV record over the size limit whose quote was never closed: its
    /// line ends were skipped, so the input must be read again from the
    /// first one after the quote (an offset from the input's start), which
    /// begins `line`.
    case reread(recordLine: Int, from: Int, line: Int, afterCR: Bool)
}

// MARK: - Framing rows

/// A CSVFramer finds the ends of CSV rows in buffered input, one byte at a
/// time, resuming where it stopped when more input arrives. Positions are
/// offsets in the stream's buffer (`shift` follows it when it compacts).
struct CSVFramer {
    enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// The next byte to look at.
    var pos = 0
    /// The line of `pos` (LF, CRLF and lone CR each end one line).
    var line = 1
    var start = 0
    var recordLine = 1
    var inRecord = false
    /// A record over the limit is being skipped (reported at its end).
    var skipping = false
    var state = State.fieldStart
    /// The previous byte was a CR (its LF, if one follows, ends nothing).
    var previousCR = false
    /// Bytes dropped from the front of the buffer so far: `dropped + pos`
    /// is an offset from the input's start.
    var dropped = 0
    /// The first line end inside the quoted field being read (an offset
    /// from the input's start; -1 before one), the line after it, and
    /// whether it is a CR: where a quote never closed ends its record.
    var breakInQuote = -1
    var lineAfterBreak = 1
    var breakIsCR = false

    /// The first byte that must be kept in the buffer.
    var keepFrom: Int { inRecord && !skipping ? start : pos }

    mutating func shift(_ d: Int) {
        pos -= d
        start -= d
        dropped += d
    }

    /// Starts again at `offset` of the input, with the buffer emptied: the
    /// beginning of `line`, just after a CR when `afterCR`.
    mutating func restart(at offset: Int, line: Int, afterCR: Bool) {
        pos = 0
        start = 0
        dropped = offset
        self.line = line
        previousCR = afterCR
        inRecord = false
        skipping = false
        state = .fieldStart
        breakInQuote = -1
    }

    mutating func next(_ buf: UnsafeBufferPointer<UInt8>, eof: Bool, limit: Int) -> Frame {
        let n = buf.count
        while true {
            if !inRecord {
                // Line ends between records: blank lines, or the LF of a CRLF.
                while pos < n {
                    let c = buf[pos]
                    if c == 0x0A {
                        if !previousCR { line += 1 }
                        previousCR = false
                    } else if c == 0x0D {
                        line += 1
                        previousCR = true
                    } else {
                        break
                    }
                    pos += 1
                }
                if pos >= n { return eof ? .end : .more }
                inRecord = true
                start = pos
                recordLine = line
                state = .fieldStart
                previousCR = false
            }
            while pos < n {
                let c = buf[pos]
                switch state {
                case .quoted:
                    if c == 0x22 {
                        state = .quoteInQuoted
                    } else if c == 0x0D || (c == 0x0A && !previousCR) {
                        line += 1
                        if breakInQuote < 0 {
                            breakInQuote = dropped + pos
                            lineAfterBreak = line
                            breakIsCR = c == 0x0D
                        }
                    }
                    previousCR = c == 0x0D
                    pos += 1
                    continue
                case .quoteInQuoted:
                    if c == 0x22 {
                        state = .quoted
                        pos += 1
                        continue
                    }
                    state = .unquoted       // the field was closed; read `c` as outside quotes
                case .fieldStart, .unquoted:
                    break
                }
                if c == 0x0D || c == 0x0A {
                    let end = pos
                    pos += 1
                    line += 1
                    previousCR = c == 0x0D
                    inRecord = false
                    if skipping {
                        skipping = false
                        return .tooLarge(line: recordLine, hint: nil)
                    }
                    if end - start > limit { return .tooLarge(line: recordLine, hint: nil) }
                    return .record(start: start, end: end, line: recordLine)
                }
                if c == 0x2C {
                    state = .fieldStart
                } else if state == .fieldStart {
                    state = c == 0x22 ? .quoted : .unquoted
                    breakInQuote = -1
                }
                pos += 1
            }
            if inRecord && eof && state == .quoted && breakInQuote >= 0 {
                // A quote never closed: the record ends at the first line
                // end after it, and reading goes on with the next line.
                inRecord = false
                previousCR = breakIsCR
                line = lineAfterBreak
                if skipping {
                    skipping = false
                    return .reread(recordLine: recordLine, from: breakInQuote + 1, line: line, afterCR: breakIsCR)
                }
                let end = breakInQuote - dropped
                pos = end + 1
                if end - start > limit { return .tooLarge(line: recordLine, hint: "a quote in it is never closed") }
                return .record(start: start, end: end, line: recordLine)
            }
            if inRecord {
                if !eof {
                    if !skipping && pos - start > limit { skipping = true }
                    return .more
                }
                inRecord = false
                if skipping {
                    skipping = false
                    return .tooLarge(line: recordLine, hint: state == .quoted ? "a quote in it is never closed" : nil)
                }
                if n - start > limit { return .tooLarge(line: recordLine, hint: nil) }
                return .record(start: start, end: n, line: recordLine)
            }
        }
    }
}

// MARK: - Splitting a row into cells

/// A CSVCell is one field of a row: its content's range in the row, or in
/// the scratch buffer when `""` escapes had to be undone.
struct CSVCell {
    enum Problem: Equatable {
        /// Text after the closing quote, at this offset of the row.
        case textAfterQuote(Int)
        /// The quote that opens the field is never closed.
        case unclosedQuote
    }

    var start: Int
    var end: Int
    var inScratch: Bool
    var problem: Problem?
}

/// A CSVCellScanner splits one row (without its line end) into cells.
struct CSVCellScanner {
    let row: UnsafeBufferPointer<UInt8>
    var pos = 0
    var finished = false
    /// How many cells have been returned.
    var count = 0

    init(_ row: UnsafeBufferPointer<UInt8>) {
        self.row = row
    }

    /// The next cell, or nil after the last. With `unescape`, a quoted
    /// field's `""` are undone into `scratch`; without, the range still
    /// holds them (enough to count or skip the cell).
    mutating func next(_ scratch: inout [UInt8], unescape: Bool) -> CSVCell? {
        guard !finished else { return nil }
        count += 1
        let n = row.count
        var cell: CSVCell
        if pos < n && row[pos] == 0x22 {
            pos += 1
            let start = pos
            var escapes = false
            var closed = false
            while pos < n {
                if row[pos] == 0x22 {
                    if pos + 1 < n && row[pos + 1] == 0x22 {
                        escapes = true
                        pos += 2
                        continue
                    }
                    closed = true
                    break
                }
                pos += 1
            }
            guard closed else {
                finished = true
                return CSVCell(start: start, end: n, inScratch: false, problem: .unclosedQuote)
            }
            cell = CSVCell(start: start, end: pos, inScratch: false, problem: nil)
            pos += 1
            if escapes && unescape {
                scratch.removeAll(keepingCapacity: true)
                var k = start
                while k < cell.end {
                    let c = row[k]
                    scratch.append(c)
                    k += c == 0x22 ? 2 : 1
                }
                cell = CSVCell(start: 0, end: scratch.count, inScratch: true, problem: nil)
            }
            if pos < n && row[pos] != 0x2C {
                cell.problem = .textAfterQuote(pos)
                while pos < n && row[pos] != 0x2C { pos += 1 }
            }
        } else {
            let start = pos
            while pos < n && row[pos] != 0x2C { pos += 1 }
            cell = CSVCell(start: start, end: pos, inScratch: false, problem: nil)
        }
        if pos < n {
            pos += 1            // past the `,`: another cell follows, maybe empty
        } else {
            finished = true
        }
        return cell
    }

    /// Every cell of a row as text (the header), problems ignored.
    static func texts(_ row: UnsafeBufferPointer<UInt8>) -> [String] {
        var scanner = CSVCellScanner(row)
        var scratch: [UInt8] = []
        var texts: [String] = []
        while let cell = scanner.next(&scratch, unescape: true) {
            texts.append(cell.inScratch ? String(decoding: scratch, as: UTF8.self)
                                        : String(decoding: UnsafeBufferPointer(rebasing: row[cell.start..<cell.end]), as: UTF8.self))
        }
        return texts
    }
}
