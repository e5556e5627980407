#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - JSON Lines

/// A JSONLinesFramer cuts JSON Lines input into records: one per line that
/// is not blank (only spaces, tabs or CR, however long). Lines end at LF; a CR before
/// the LF is dropped; a last line without a line end counts. A line that is
/// not valid JSON is still one record: its decoding fails and it keeps its
/// place.
struct JSONLinesFramer {
    /// The start of the current line.
    var pos = 0
    /// Where the search for this line's LF resumes.
    var searched = 0
    var line = 1
    /// A line over the limit is being skipped (reported at its end).
    var skipping = false
    /// Every byte skipped of that line is blank (so it is no record).
    var skippedBlank = true

    var keepFrom: Int { pos }

    mutating func shift(_ d: Int) {
        pos -= d
        searched -= d
    }

    mutating func next(_ buf: UnsafeBufferPointer<UInt8>, eof: Bool, limit: Int) -> Frame {
        let n = buf.count
        while true {
            if pos >= n {
                guard eof else { return .more }
                if skipping {
                    // The oversized line was the last, without a line end.
                    skipping = false
                    if skippedBlank { return .end }
                    return .tooLarge(line: line, hint: nil)
                }
                return .end
            }
            let from = max(pos, searched)
            var newline = n
            if from < n, let base = buf.baseAddress, let hit = memchr(base + from, 0x0A, n - from) {
                newline = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if newline >= n && !eof {
                searched = n
                // (A line's CR before its LF is no part of the record.)
                if !skipping && n - pos > limit + 1 {
                    skipping = true
                    skippedBlank = true
                }
                if skipping {
                    // Drop what is read of the oversized line.
                    if skippedBlank { skippedBlank = JSONLinesFramer.isBlank(buf, pos, n) }
                    pos = n
                }
                return .more
            }
            let start = pos
            var end = newline
            let recordLine = line
            pos = min(newline + 1, n)
            searched = pos
            if newline < n { line += 1 }
            let blank = JSONLinesFramer.isBlank(buf, start, end)
            if skipping {
                skipping = false
                if skippedBlank && blank { continue }
                return .tooLarge(line: recordLine, hint: nil)
            }
            if blank { continue }
            if end > start && buf[end - 1] == 0x0D { end -= 1 }
            if end - start > limit { return .tooLarge(line: recordLine, hint: nil) }
            return .record(start: start, end: end, line: recordLine)
        }
    }

    /// Whether `buf[from..<to]` holds only spaces, tabs and CRs.
    static func isBlank(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        guard from < to else { return true }
        for k in from..<to where buf[k] != 0x20 && buf[k] != 0x09 && buf[k] != 0x0D { return false }
        return true
    }
}

// MARK: - JSON

/// A JSONFramer cuts JSON input into records without parsing it: a
/// top-level object is one record; a top-level array gives one record per
/// element; several top-level values may follow one another (as `jq`
/// writes them). It tracks strings and nesting only, so a malformed
/// element is cut at the next `,` or `]` of the array and becomes one
/// failing record while the rest go on.
///
/// - `[a,,b]` and a trailing `,` give an error record for the missing value.
/// - An array never closed: the elements read stand; a last error record
///   says the input ended early (or the unfinished element itself does).
/// - A string still open at the end of its line (JSON strings hold no line
///   ends) is a mistake, not a string holding the rest of the input: its
///   record ends there, as an error record, and cutting goes on from the
///   next line.
/// - A top-level value that is not an object (`5`, `"x"`) is cut as a
///   record and fails to decode ("a record must be a JSON object …"); a
///   stray `]`, `}`, `,` or `:` at the top level is an error record.
struct JSONFramer {
    enum ArrayState { case none, afterOpen, afterElement, afterComma }

    var pos = 0
    var line = 1
    /// The column of `pos` (counting Unicode scalars).
    var column = 1
    var array = ArrayState.none
    /// A value is being cut (from `start`, unless skipping it).
    var cutting = false
    var skipping = false
    var start = 0
    var recordLine = 1
    var recordColumn = 1
    var depth = 0
    var inString = false
    var escaped = false
    /// The top-level value being cut is not an object.
    var scalar = false
    /// Just past the value's last byte that is not whitespace.
    var contentEnd = 0
    /// The value just cut ended at a line end inside a string, on this
    /// line (0: it did not).
    var brokenLine = 0

    var keepFrom: Int { cutting && !skipping ? start : pos }

    mutating func shift(_ d: Int) {
        pos -= d
        start -= d
        contentEnd -= d
    }

    mutating func next(_ buf: UnsafeBufferPointer<UInt8>, eof: Bool, limit: Int) -> Frame {
        while true {
            if !cutting, let frame = between(buf, eof: eof) { return frame }
            if cut(buf) {
                cutting = false
                if array != .none { array = .afterElement }
                if brokenLine > 0 {
                    let at = brokenLine
                    brokenLine = 0
                    if skipping || contentEnd - start > limit {
                        skipping = false
                        return .tooLarge(line: recordLine, hint: "a string in it is not closed before its line ends")
                    }
                    return .failure("a string in this record is not closed before the end of line \(at)", line: recordLine)
                }
                // Its size is its own bytes, from its first to its last that
                // is not whitespace: the spaces and line ends before an
                // array's `,` or `]` belong to no record. It is measured the
                // same while the value is read in pieces: the chunk size
                // changes nothing.
                if skipping || contentEnd - start > limit {
                    skipping = false
                    return .tooLarge(line: recordLine, hint: nil)
                }
                return .record(start: start, end: contentEnd, line: recordLine, column: recordColumn)
            }
            // The input is used up inside a value: skip it if too large.
            // Whitespace after its end is held too, up to the limit again
            // (so memory stays bounded by twice the limit); past that the
            // record counts as too large.
            if !skipping && (contentEnd - start > limit || pos - start > 2 * limit) { skipping = true }
            if !eof { return .more }
            cutting = false
            let unfinished = depth > 0 || inString
            if skipping {
                skipping = false
                if array != .none { array = .afterElement }
                return .tooLarge(line: recordLine, hint: nil)
            }
            if array != .none && unfinished {
                array = .none
                return .failure("the input ends inside this record, before the array is closed with `]`", line: recordLine)
            }
            if array != .none { array = .afterElement }
            return .record(start: start, end: contentEnd, line: recordLine, column: recordColumn)
        }
    }

    /// Between values: whitespace, the array's `[`, `,` and `]`. Returns a
    /// frame to hand out, or nil when a value starts (or to go on).
    mutating func between(_ buf: UnsafeBufferPointer<UInt8>, eof: Bool) -> Frame? {
        let n = buf.count
        while pos < n {
            let c = buf[pos]
            if c == 0x20 || c == 0x09 || c == 0x0D {
                pos += 1
                column += 1
                continue
            }
            if c == 0x0A {
                line += 1
                column = 1
                pos += 1
                continue
            }
            if array != .none {
                if c == UInt8(ascii: "]") {
                    pos += 1
                    column += 1
                    let trailing = array == .afterComma
                    array = .none
                    if trailing { return .failure("expected a value after the last `,`, before `]`", line: line) }
                    continue
                }
                if c == UInt8(ascii: ",") {
                    pos += 1
                    column += 1
                    let empty = array != .afterElement
                    array = .afterComma
                    if empty { return .failure("expected a value before `,`", line: line) }
                    continue
                }
            } else if c == UInt8(ascii: "[") {
                pos += 1
                column += 1
                array = .afterOpen
                continue
            } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: ",") || c == UInt8(ascii: ":") {
                pos += 1
                column += 1
                return .failure("unexpected `\(Character(Unicode.Scalar(c)))` where a record should start", line: line)
            }
            cutting = true
            start = pos
            recordLine = line
            recordColumn = column
            depth = 0
            inString = false
            escaped = false
            scalar = array == .none && c != UInt8(ascii: "{")
            contentEnd = pos
            return nil
        }
        if !eof { return .more }
        if array != .none {
            array = .none
            return .failure("the input ends before the array is closed with `]`", line: line)
        }
        return .end
    }

    /// Cuts the value being read: true when it ends (before `pos`), false
    /// when the input is used up first.
    mutating func cut(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = buf.count
        while pos < n {
            if inString && !escaped, let base = buf.baseAddress {
                // Eight bytes at a time while none is `"`, `\` or LF.
                let raw = UnsafeRawPointer(base)
                while pos + 8 <= n {
                    let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
                    if JSONFramer.hasQuoteBackslashOrNewline(x) { break }
                    column += 8 - JSONFramer.continuationBytes(x)
                    pos += 8
                }
                contentEnd = pos
                if pos >= n { break }
            }
            let c = buf[pos]
            if inString {
                if c == 0x0A {
                    // A line end, escaped or not, cannot be in a string: the
                    // string and its record end here.
                    brokenLine = line
                    inString = false
                    escaped = false
                    line += 1
                    column = 1
                    pos += 1
                    return true
                }
                if escaped {
                    escaped = false
                } else if c == 0x5C {
                    escaped = true
                } else if c == 0x22 {
                    inString = false
                }
                if c & 0xC0 != 0x80 { column += 1 }
                pos += 1
                contentEnd = pos
                continue
            }
            switch c {
            case 0x20, 0x09, 0x0D, 0x0A:
                if scalar && depth == 0 { return true }
                if c == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                pos += 1
                continue
            case 0x22:
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if scalar && depth == 0 && pos > start { return true }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth > 0 {
                    depth -= 1
                    if depth == 0 && array == .none && !scalar {
                        pos += 1
                        contentEnd = pos
                        return true
                    }
                } else if array == .none || c == UInt8(ascii: "]") {
                    return true      // the array's `]`, or a stray closer after a top-level token
                }
            case UInt8(ascii: ","):
                if depth == 0 && (array != .none || scalar) { return true }
            default:
                break
            }
            if c & 0xC0 != 0x80 { column += 1 }
            pos += 1
            contentEnd = pos
        }
        return false
    }

    /// Whether any of eight bytes is `"`, `\\` or LF.
    @inline(__always)
    static func hasQuoteBackslashOrNewline(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & high != 0 }
        return hasZero(x ^ (ones &* 0x22)) || hasZero(x ^ (ones &* 0x5C)) || hasZero(x ^ (ones &* 0x0A))
    }

    /// How many of eight bytes are UTF-8 continuation bytes (10xxxxxx).
    @inline(__always)
    static func continuationBytes(_ x: UInt64) -> Int {
        (x & ~(x << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
    }
}
