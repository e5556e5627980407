/// A Span is a half-open range of UTF-8 byte offsets into one source text.
///
/// Spans are what every token, AST node and diagnostic carries. They are
/// turned into 1-based line and column numbers only when something is printed
/// (see `SourceText.location(of:)`).
package struct Span: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var start: Int
    package var end: Int

    @inlinable
    package init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// An empty span at one offset (a point, e.g. "expected `:` here").
    @inlinable
    package static func at(_ offset: Int) -> Span { Span(start: offset, end: offset) }

    package static let none = Span(start: 0, end: 0)

    package var length: Int { end - start }

    /// The smallest span covering both.
    @inlinable
    package func to(_ other: Span) -> Span {
        Span(start: min(start, other.start), end: max(end, other.end))
    }

    package static func < (a: Span, b: Span) -> Bool {
        a.start != b.start ? a.start < b.start : a.end < b.end
    }

    public var description: String { "\(start)..<\(end)" }
}

/// A location is a 1-based line and column, for printing.
///
/// The column counts Unicode scalars (code points) from the start of the
/// line, so a tab counts as one column and `é` counts as one column however
/// it is encoded. Grammar.md states the same rule.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "\(line):\(column)" }
}

/// A SourceText is the text of one policy file (or REPL entry) with its
/// line table, immutable once made.
///
/// The bytes are kept as they were read. A leading byte-order mark is not
/// part of the first line's columns; CRLF and lone CR count as one line end.
package final class SourceText: Sendable {
    /// The name printed in diagnostics: a path as the user gave it, or
    /// `<repl>`, `<string>`.
    package let path: String
    package let bytes: [UInt8]
    /// Offsets at which each line starts (line 1 at index 0).
    package let lineStarts: [Int]

    package init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c == 0x0A {
                starts.append(i + 1)
            } else if c == 0x0D {
                if i + 1 < n && bytes[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        lineStarts = starts
    }

    package convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    package var lineCount: Int { lineStarts.count }

    /// The 0-based index of the line holding `offset`.
    package func lineIndex(of offset: Int) -> Int {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The byte range of a line's content, without its line end.
    package func lineRange(index: Int) -> Range<Int> {
        guard index >= 0 && index < lineStarts.count else { return bytes.count..<bytes.count }
        var start = lineStarts[index]
        if index == 0 && bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            start = 3
        }
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] : bytes.count
        while end > start && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        return start..<max(start, end)
    }

    package func location(of offset: Int) -> SourceLocation {
        let offset = min(max(0, offset), bytes.count)
        let index = lineIndex(of: offset)
        let range = lineRange(index: index)
        let column = SourceText.scalarCount(bytes, from: range.lowerBound, to: max(range.lowerBound, min(offset, range.upperBound)))
        return SourceLocation(line: index + 1, column: column + 1)
    }

    /// The text of one 1-based line, for printing under a diagnostic.
    /// Invalid UTF-8 shows as U+FFFD; a NUL shows as `␀`.
    package func lineText(_ line: Int) -> String {
        let range = lineRange(index: line - 1)
        var text = String(decoding: bytes[range], as: UTF8.self)
        if text.contains("\u{0}") { text = text.replacing("\u{0}", with: "\u{2400}") }
        return text
    }

    package func text(_ span: Span) -> String {
        let s = min(max(0, span.start), bytes.count)
        let e = min(max(s, span.end), bytes.count)
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    /// Number of Unicode scalars in bytes[from..<to]: every byte that is not a
    /// UTF-8 continuation byte starts one (invalid bytes count one each).
    static func scalarCount(_ bytes: [UInt8], from: Int, to: Int) -> Int {
        var n = 0
        var i = from
        while i < to {
            if bytes[i] & 0xC0 != 0x80 { n += 1 }
            i += 1
        }
        return n
    }
}

/// Strict UTF-8 decoding of one scalar: overlong forms, surrogates and values
/// past U+10FFFF are invalid, as the standard says.
package enum UTF8Scalar {
    /// The scalar at `j` and its length in bytes, or nil and 1 when the bytes
    /// there are not valid UTF-8.
    package static func decode(_ bytes: [UInt8], at j: Int, end: Int) -> (scalar: Unicode.Scalar?, length: Int) {
        let b0 = bytes[j]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let length: Int
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(b0 & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(b0 & 0x07)
        default: return (nil, 1)
        }
        guard j + length <= end else { return (nil, 1) }
        for k in 1..<length {
            let b = bytes[j + k]
            guard b & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        if (length == 3 && value < 0x800) || (length == 4 && (value < 0x10000 || value > 0x10FFFF))
            || (value >= 0xD800 && value <= 0xDFFF) {
            return (nil, 1)
        }
        return (Unicode.Scalar(value), length)
    }

    /// The length of the well-formed UTF-8 sequence (RFC 3629) that starts
    /// at `i` with a byte of 0x80 or more: 2 to 4, or 0 when there is none
    /// (overlong forms, surrogates and values over U+10FFFF included, and a
    /// sequence cut short by the end). `i` is a valid index of `s`.
    @inline(__always)
    package static func sequenceLength<C: Collection>(_ s: C, at i: C.Index) -> Int where C.Element == UInt8 {
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let n: Int
        switch s[i] {
        case 0xC2...0xDF: n = 2
        case 0xE0: n = 3; low = 0xA0
        case 0xED: n = 3; high = 0x9F         // no surrogates
        case 0xE1...0xEF: n = 3
        case 0xF0: n = 4; low = 0x90
        case 0xF4: n = 4; high = 0x8F         // nothing past U+10FFFF
        case 0xF1...0xF3: n = 4
        default: return 0
        }
        var j = s.index(after: i)
        for k in 1..<n {
            guard j != s.endIndex else { return 0 }
            let c = s[j]
            guard k == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xBF) else { return 0 }
            j = s.index(after: j)
        }
        return n
    }
}
