#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSONSyntaxError is why some bytes are not valid JSON: the byte offset
/// where the problem was found and a message in the project's style
/// (lowercase, no final period, user text in backticks).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Offset of the offending byte from the start of the parsed bytes.
    public var offset: Int
    public var message: String
    /// A string not closed before the end of the bytes (for a record, the
    /// end of its line): the readers say so in Grammar.md §10's words.
    public var unclosedString = false

    public init(offset: Int, message: String, unclosedString: Bool = false) {
        self.offset = offset
        self.message = message
        self.unclosedString = unclosedString
    }

    public var description: String { message }

    /// The 1-based line and column of `offset` in `bytes` (the bytes that
    /// were parsed). Lines end at LF; columns count Unicode scalars.
    public func location<C: Collection>(in bytes: C) -> (line: Int, column: Int) where C.Element == UInt8 {
        var line = 1
        var column = 1
        var index = 0
        for byte in bytes {
            if index >= offset { break }
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }
}

/// A JSONStringSpan is where a scanned string's content is: a byte range of
/// the input when it had no escapes (the common case: nothing is copied), or
/// the scanner's scratch buffer when escapes had to be decoded.
struct JSONStringSpan {
    var start: Int
    var end: Int
    /// True when the content is in the scratch buffer, not the input.
    var unescaped: Bool
}

/// A JSONScanner reads JSON (RFC 8259, strictly) from bytes it does not own,
/// token by token, allocating nothing on success.
///
/// - No trailing commas, comments, single quotes, `NaN` or `Infinity`;
///   numbers that overflow a `Double` (`1e400`) are errors.
/// - Strings must be valid UTF-8 and may not hold raw control characters
///   (U+0000 to U+001F): invalid UTF-8 is rejected rather than replaced, so
///   a record's texts are always exactly what it says.
/// - `\uXXXX` escapes, surrogate pairs included, are decoded to UTF-8 into a
///   caller-owned scratch buffer; an unpaired surrogate is an error.
/// - Objects and arrays nest at most `maxDepth` deep.
///
/// The scanner is a value over an `UnsafeBufferPointer` valid only for the
/// duration of one parse; errors are thrown as `JSONSyntaxError` (typed
/// throws: no existential boxing on the hot path).
struct JSONScanner {
    /// The deepest nesting of objects and arrays accepted.
    static let maxDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int = 0) {
        self.bytes = bytes
        self.pos = start
    }

    // MARK: - Positioning

    var atEnd: Bool { pos >= bytes.count }

    /// The byte at the current position, or nil at the end.
    @inline(__always)
    func peek() -> UInt8? {
        pos < bytes.count ? bytes[pos] : nil
    }

    /// Skips JSON whitespace: space, tab, LF and CR.
    @inline(__always)
    mutating func skipWhitespace() {
        while pos < bytes.count {
            let c = bytes[pos]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            pos += 1
        }
    }

    /// Enters an object or array (just past its opening bracket): counts
    /// the depth against the limit.
    @inline(__always)
    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > JSONScanner.maxDepth {
            throw failure("the JSON is nested more than \(JSONScanner.maxDepth) levels deep", at: pos - 1)
        }
    }

    @inline(__always)
    mutating func leave() { depth -= 1 }

    // MARK: - Errors

    func failure(_ message: String, at offset: Int) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset, message: message)
    }

    /// An error for an unexpected byte (or the end) at the current position.
    func unexpected(expecting what: String? = nil) -> JSONSyntaxError {
        guard pos < bytes.count else {
            return failure(what.map { "the input ends early: expected \($0)" } ?? "the input ends early", at: pos)
        }
        let shown = JSONScanner.describe(bytes, at: pos)
        if let what { return failure("expected \(what), not \(shown)", at: pos) }
        return failure("unexpected \(shown)", at: pos)
    }

    /// A character for a message: printable ASCII and other scalars in
    /// backticks, controls and invalid bytes by code.
    static func describe(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> String {
        guard offset >= 0, offset < bytes.count else { return "the end of the input" }
        let c = bytes[offset]
        if c >= 0x21 && c < 0x7F { return "`\(Character(Unicode.Scalar(c)))`" }
        if c < 0x80 { return "U+" + hex4(UInt32(c)) }
        let length = UTF8Scalar.sequenceLength(bytes, at: offset)
        if length > 0 {
            var decoder = UTF8()
            var iterator = UnsafeBufferPointer(rebasing: bytes[offset..<(offset + length)]).makeIterator()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) {
                return "`\(Character(scalar))` (U+\(hex4(scalar.value)))"
            }
        }
        return "the byte 0x" + String(c, radix: 16, uppercase: true) + " (not UTF-8)"
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: - Literals

    /// Reads `true`, `false` or `null` (at their first byte): true, false,
    /// or nil for `null`.
    mutating func readLiteral() throws(JSONSyntaxError) -> Bool? {
        let start = pos
        let word: StaticString
        let value: Bool?
        switch peek() {
        case UInt8(ascii: "t"): word = "true"; value = true
        case UInt8(ascii: "f"): word = "false"; value = false
        case UInt8(ascii: "n"): word = "null"; value = nil
        default: throw unexpected(expecting: "a value")
        }
        let count = word.utf8CodeUnitCount
        guard start + count <= bytes.count else { throw failure("invalid literal; did you mean `\(word)`?", at: start) }
        var k = 0
        while k < count {
            // INVARIANT: k < count, the length of a static string.
            if bytes[start + k] != word.utf8Start[k] { throw failure("invalid literal; did you mean `\(word)`?", at: start) }
            k += 1
        }
        pos = start + count
        if let c = peek(), JSONScanner.isWordByte(c) { throw failure("invalid literal; did you mean `\(word)`?", at: start) }
        return value
    }

    @inline(__always)
    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == UInt8(ascii: "_") || c >= 0x80
    }

    // MARK: - Skipping

    /// Skips one complete value of any kind, validating it fully (so an
    /// unknown key's value must still be valid JSON).
    mutating func skipValue(scratch: inout [UInt8]) throws(JSONSyntaxError) {
        guard let c = peek() else { throw unexpected(expecting: "a value") }
        switch c {
        case UInt8(ascii: "\""):
            _ = try readString(into: &scratch)
        case UInt8(ascii: "{"):
            pos += 1
            try enter()
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                pos += 1
                leave()
                return
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a key in double quotes") }
                _ = try readString(into: &scratch)
                try expectColon()
                skipWhitespace()
                try skipValue(scratch: &scratch)
                if try endOfMember(closer: UInt8(ascii: "}")) { break }
            }
            leave()
        case UInt8(ascii: "["):
            pos += 1
            try enter()
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                pos += 1
                leave()
                return
            }
            while true {
                skipWhitespace()
                try skipValue(scratch: &scratch)
                if try endOfMember(closer: UInt8(ascii: "]")) { break }
            }
            leave()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try readNumber()
        default:
            _ = try readLiteral()
        }
    }

    /// After a key: optional whitespace and the `:`.
    @inline(__always)
    mutating func expectColon() throws(JSONSyntaxError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw unexpected(expecting: "`:` after a key") }
        pos += 1
    }

    /// After a member or element: a `,` (false: more follow) or the closer
    /// (true: the container ended). A `,` right before the closer is an
    /// error (no trailing commas).
    @inline(__always)
    mutating func endOfMember(closer: UInt8) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard let c = peek() else {
            throw unexpected(expecting: closer == UInt8(ascii: "}") ? "`,` or `}`" : "`,` or `]`")
        }
        if c == closer {
            pos += 1
            return true
        }
        guard c == UInt8(ascii: ",") else {
            throw unexpected(expecting: closer == UInt8(ascii: "}") ? "`,` or `}` after a value" : "`,` or `]` after a value")
        }
        pos += 1
        skipWhitespace()
        if peek() == closer {
            throw failure("a trailing `,` before `\(Character(Unicode.Scalar(closer)))` is not allowed", at: pos)
        }
        return false
    }
}
