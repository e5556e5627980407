#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number scanning for `JSONScanner`.
///
/// The grammar is RFC 8259's (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`).
/// Values are computed without allocating: Clinger's fast path (a mantissa
/// of at most 2^53 times or divided by an exact power of ten up to 10^22,
/// one correctly rounded operation) covers nearly every real number; the
/// rest go through `strtod` on a stack copy of the text, which rounds
/// correctly too. A value that overflows a `Double` is infinite: the
/// readers decide (a number field refuses it, a text field keeps its text).
extension JSONScanner {
    // MARK: - Numbers

    /// Exact powers of ten as doubles: 10^0 ... 10^22.
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// Reads a number (at its first byte: `-` or a digit).
    mutating func readNumber() throws(JSONSyntaxError) -> Double {
        let start = pos
        let n = bytes.count
        var negative = false
        if pos < n && bytes[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard pos < n, JSONScanner.isDigit(bytes[pos]) else {
            throw failure(negative ? "expected a digit after `-`" : "expected a number", at: pos)
        }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits in `mantissa`
        var exponent = 0        // decimal exponent of `mantissa`
        var exact = true        // false when digits were dropped
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < n && JSONScanner.isDigit(bytes[pos]) {
                throw failure("a number cannot start with `0` followed by more digits", at: start)
            }
        } else {
            while pos < n, JSONScanner.isDigit(bytes[pos]) {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[pos] &- 0x30)
                    digits += 1
                } else {
                    exact = false
                }
                pos += 1
            }
        }
        if pos < n && bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < n, JSONScanner.isDigit(bytes[pos]) else { throw failure("expected a digit after `.`", at: pos) }
            while pos < n, JSONScanner.isDigit(bytes[pos]) {
                let d = UInt64(bytes[pos] &- 0x30)
                if mantissa == 0 && d == 0 {
                    exponent -= 1           // a leading zero of a fraction
                } else if digits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    digits += 1
                    exponent -= 1
                } else {
                    exact = false
                }
                pos += 1
            }
        }
        if pos < n && (bytes[pos] | 0x20) == UInt8(ascii: "e") {
            pos += 1
            var exponentNegative = false
            if pos < n && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) {
                exponentNegative = bytes[pos] == UInt8(ascii: "-")
                pos += 1
            }
            guard pos < n, JSONScanner.isDigit(bytes[pos]) else { throw failure("expected a digit in the exponent", at: pos) }
            var value = 0
            while pos < n, JSONScanner.isDigit(bytes[pos]) {
                // Capped: anything past 10^6 is out of range or zero anyway.
                if value < 1_000_000 { value = value * 10 + Int(bytes[pos] &- 0x30) }
                pos += 1
            }
            exponent += exponentNegative ? -value : value
        }
        if let c = peek(), JSONScanner.isWordByte(c) || c == UInt8(ascii: ".") {
            throw failure("unexpected \(JSONScanner.describe(bytes, at: pos)) in a number", at: pos)
        }
        if mantissa == 0 && exact { return negative ? -0.0 : 0 }
        if exact && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            // INVARIANT: -22 <= exponent <= 22, the table's range.
            let value = exponent >= 0 ? Double(mantissa) * JSONScanner.powersOfTen[exponent]
                                      : Double(mantissa) / JSONScanner.powersOfTen[-exponent]
            return negative ? -value : value
        }
        // Beyond a double's range: infinite (valid JSON all the same; a
        // number field then says it is too large, a text field keeps the text).
        return JSONScanner.slowParse(UnsafeBufferPointer(rebasing: bytes[start..<pos]))
    }

    /// A validated JSON number's text to a correctly rounded double with
    /// `strtod`, from a NUL-terminated copy on the stack. Should the C
    /// locale have been changed to one with a decimal comma, Swift's own
    /// (locale-independent) parser is used instead.
    static func slowParse(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        let count = text.count
        let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            for k in 0..<count { buffer[k] = CChar(bitPattern: text[k]) }
            buffer[count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &end)
            guard let end, end == base + count else { return nil }
            return value
        }
        if let parsed { return parsed }
        return Double(String(decoding: text, as: UTF8.self)) ?? .nan
    }
}
