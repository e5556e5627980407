/// String scanning for `JSONScanner`: validation, escapes and UTF-8.
extension JSONScanner {
    // MARK: - Strings

    /// Reads a string (at its opening quote). Content without escapes stays
    /// in the input (a range); with escapes it is decoded into `scratch`
    /// (cleared first), which is reused from string to string.
    @inline(__always)
    mutating func readString(into scratch: inout [UInt8]) throws(JSONSyntaxError) -> JSONStringSpan {
        let open = pos
        pos += 1
        let start = pos
        // Fast path: plain ASCII and valid UTF-8 up to the closing quote,
        // eight bytes at a time while none is special, then straight to the
        // first special one (the closing quote, most often).
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while pos + 8 <= bytes.count {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
                let special = JSONScanner.specialBytes(x)
                if special != 0 {
                    pos += special.trailingZeroBitCount >> 3
                    break
                }
                pos += 8
            }
        }
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return JSONStringSpan(start: start, end: pos - 1, unescaped: false)
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw controlCharacter(at: pos) }
            if c < 0x80 {
                pos += 1
            } else {
                let length = UTF8Scalar.sequenceLength(bytes, at: pos)
                if length == 0 { throw failure("invalid UTF-8 in a string", at: pos) }
                pos += length
            }
        }
        if pos >= bytes.count { throw JSONSyntaxError(offset: open, message: "unterminated string", unclosedString: true) }
        // Slow path: copy what was read, then decode escapes.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return JSONStringSpan(start: 0, end: scratch.count, unescaped: true)
            }
            if c == UInt8(ascii: "\\") {
                try readEscape(into: &scratch)
            } else if c < 0x20 {
                throw controlCharacter(at: pos)
            } else if c < 0x80 {
                scratch.append(c)
                pos += 1
            } else {
                let length = UTF8Scalar.sequenceLength(bytes, at: pos)
                if length == 0 { throw failure("invalid UTF-8 in a string", at: pos) }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pos..<(pos + length)]))
                pos += length
            }
        }
        throw JSONSyntaxError(offset: open, message: "unterminated string", unclosedString: true)
    }

    func controlCharacter(at offset: Int) -> JSONSyntaxError {
        let c = offset < bytes.count ? bytes[offset] : 0
        if c == 0x0A || c == 0x0D { return failure("a line break inside a string must be written `\\n`", at: offset) }
        if c == 0x09 { return failure("a tab inside a string must be written `\\t`", at: offset) }
        return failure("a control character (U+\(JSONScanner.hex4(UInt32(c)))) inside a string must be escaped", at: offset)
    }

    /// Decodes one escape (at its backslash) onto `scratch`.
    mutating func readEscape(into scratch: inout [UInt8]) throws(JSONSyntaxError) {
        let start = pos
        guard pos + 1 < bytes.count else { throw JSONSyntaxError(offset: start, message: "unterminated string", unclosedString: true) }
        let e = bytes[pos + 1]
        pos += 2
        switch e {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4(escapeAt: start)
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                // A high surrogate must be followed by `\u` and a low one.
                let second = pos
                guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                    throw failure("unpaired surrogate `\\u\(JSONScanner.hex4(scalar))` in a string", at: start)
                }
                pos += 2
                let low = try readHex4(escapeAt: second)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw failure("unpaired surrogate `\\u\(JSONScanner.hex4(scalar))` in a string", at: start)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw failure("unpaired surrogate `\\u\(JSONScanner.hex4(scalar))` in a string", at: start)
            }
            JSONScanner.appendUTF8(scalar, to: &scratch)
        default:
            pos = start
            throw failure("invalid escape `\\\(JSONScanner.describeRaw(e))` in a string", at: start)
        }
    }

    /// Four hex digits after `\u`.
    mutating func readHex4(escapeAt start: Int) throws(JSONSyntaxError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw failure("`\\u` needs four hex digits", at: start) }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[pos + k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw failure("`\\u` needs four hex digits", at: start)
            }
            value = value << 4 | UInt32(digit)
        }
        pos += 4
        return value
    }

    static func describeRaw(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? String(Character(Unicode.Scalar(c))) : "U+" + hex4(UInt32(c))
    }

    /// Whether any of eight bytes is `"`, `\\`, a control character or not
    /// ASCII (the bytes a string's fast path must look at one by one).
    @inline(__always)
    static func hasSpecialByte(_ x: UInt64) -> Bool { specialBytes(x) != 0 }

    /// The high bit of each byte of `x` (little-endian) that is a quote, a
    /// backslash, a control character or not ASCII. Bits above the lowest
    /// may be wrong (a borrow can run on); the lowest is the first special
    /// byte.
    @inline(__always)
    static func specialBytes(_ x: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeros(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & high }
        let quote = zeros(x ^ (ones &* 0x22))
        let backslash = zeros(x ^ (ones &* 0x5C))
        let control = (x &- ones &* 0x20) & ~x & high     // a byte below 0x20
        return quote | backslash | control | (x & high)
    }

    // MARK: - UTF-8

    /// Appends a scalar (at most U+10FFFF, not a surrogate) as UTF-8.
    @inline(__always)
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            out.append(UInt8(truncatingIfNeeded: 0xC0 | (scalar >> 6)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(truncatingIfNeeded: 0xE0 | (scalar >> 12)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(truncatingIfNeeded: 0xF0 | (scalar >> 18)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (scalar & 0x3F)))
        }
    }
}
