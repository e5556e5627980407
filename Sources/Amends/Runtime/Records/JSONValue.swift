/// A JSONValue is a parsed JSON document as a tree, for the places where a
/// whole record is held rather than streamed: the library API, the REPL and
/// examples. Object members keep their order (and any duplicate keys).
///
/// Parsing is as strict as the record scanner's (`JSONScanner`); the hot
/// path that reads records from files never builds JSONValues.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    // MARK: - Equality

    /// Structural equality; objects compare member by member in order.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (m, n) in zip(x, y) where m.key != n.key || m.value != n.value { return false }
            return true
        default: return false
        }
    }

    // MARK: - Access

    /// The value of the last member named `key` (the last duplicate wins,
    /// as in record reading), or nil when this is not an object or has none.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// How the value's kind reads in a message: "a string", "an array" …
    public var kindDescription: String {
        switch self {
        case .null: return "`null`"
        case .bool(let b): return b ? "`true`" : "`false`"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    // MARK: - Parsing

    /// Parses one JSON value (surrounding whitespace allowed, nothing else).
    public static func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONSyntaxError> {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            var scratch: [UInt8] = []
            do throws(JSONSyntaxError) {
                scanner.skipWhitespace()
                let value = try parseValue(&scanner, &scratch)
                scanner.skipWhitespace()
                if !scanner.atEnd { throw scanner.failure("unexpected \(JSONScanner.describe(buffer, at: scanner.pos)) after the value", at: scanner.pos) }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Parses JSON text.
    public static func parse(_ text: String) -> Result<JSONValue, JSONSyntaxError> {
        parse(Array(text.utf8))
    }

    static func parseValue(_ s: inout JSONScanner, _ scratch: inout [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        guard let c = s.peek() else { throw s.unexpected(expecting: "a value") }
        switch c {
        case UInt8(ascii: "\""):
            return .string(string(try s.readString(into: &scratch), s, scratch))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = s.pos
            let value = try s.readNumber()
            // A number beyond a double's range keeps its text, so that a text
            // field reads it as written and a number field refuses it, as
            // `JSONRecordDecoder` does.
            guard value.isFinite else { return .string(String(decoding: UnsafeBufferPointer(rebasing: s.bytes[start..<s.pos]), as: UTF8.self)) }
            return .number(value)
        case UInt8(ascii: "["):
            s.pos += 1
            try s.enter()
            var items: [JSONValue] = []
            s.skipWhitespace()
            if s.peek() == UInt8(ascii: "]") {
                s.pos += 1
            } else {
                while true {
                    s.skipWhitespace()
                    items.append(try parseValue(&s, &scratch))
                    if try s.endOfMember(closer: UInt8(ascii: "]")) { break }
                }
            }
            s.leave()
            return .array(items)
        case UInt8(ascii: "{"):
            s.pos += 1
            try s.enter()
            var members: [(key: String, value: JSONValue)] = []
            s.skipWhitespace()
            if s.peek() == UInt8(ascii: "}") {
                s.pos += 1
            } else {
                while true {
                    s.skipWhitespace()
                    guard s.peek() == UInt8(ascii: "\"") else { throw s.unexpected(expecting: "a key in double quotes") }
                    let key = string(try s.readString(into: &scratch), s, scratch)
                    try s.expectColon()
                    s.skipWhitespace()
                    members.append((key, try parseValue(&s, &scratch)))
                    if try s.endOfMember(closer: UInt8(ascii: "}")) { break }
                }
            }
            s.leave()
            return .object(members)
        default:
            guard let b = try s.readLiteral() else { return .null }
            return .bool(b)
        }
    }

    static func string(_ span: JSONStringSpan, _ s: JSONScanner, _ scratch: [UInt8]) -> String {
        span.unescaped ? String(decoding: scratch, as: UTF8.self)
                       : String(decoding: UnsafeBufferPointer(rebasing: s.bytes[span.start..<span.end]), as: UTF8.self)
    }

    // MARK: - Serializing

    /// Compact JSON: no spaces; strings escaped per RFC 8259 (`"`, `\`,
    /// and control characters); integers without a fraction; a number
    /// that is not finite (never produced by parsing) as `null`.
    public func serialized() -> String {
        var out = ""
        serialize(into: &out)
        return out
    }

    public func serialize(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let v): out += JSONValue.numberText(v)
        case .string(let s): JSONValue.appendQuoted(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.serialize(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                JSONValue.appendQuoted(member.key, to: &out)
                out += ":"
                member.value.serialize(into: &out)
            }
            out += "}"
        }
    }

    /// The same text as `serialized()`, as UTF-8 bytes, made without
    /// building Strings (the language server sends large arrays of numbers).
    package func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    package func serialize(into out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .number(let v):
            if v.sign == .plus, let n = Int(exactly: v), n < 100 {
                // The common case (positions, lengths, kinds): one or two digits.
                if n >= 10 { out.append(UInt8(ascii: "0") + UInt8(n / 10)) }
                out.append(UInt8(ascii: "0") + UInt8(n % 10))
            } else if v == v.rounded(), abs(v) < 9_007_199_254_740_992, v != 0 {
                JSONValue.appendDigits(Int64(v), to: &out)
            } else {
                out += JSONValue.numberText(v).utf8
            }
        case .string(let s): JSONValue.appendQuoted(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.appendQuoted(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.serialize(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A whole number's decimal digits (and its `-`).
    static func appendDigits(_ v: Int64, to out: inout [UInt8]) {
        // INVARIANT: |v| < 2^53 (the caller checks), so negating cannot overflow.
        let magnitude = v < 0 ? UInt64(-v) : UInt64(v)
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// A string in double quotes with JSON escapes, as `appendQuoted(_:to:)`
    /// writes it (a Swift string is valid UTF-8, so its bytes of 0x80 and
    /// above are copied as they are).
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case 0x0A: out += #"\n"#.utf8
            case 0x0D: out += #"\r"#.utf8
            case 0x09: out += #"\t"#.utf8
            case 0x08: out += #"\b"#.utf8
            case 0x0C: out += #"\f"#.utf8
            case 0..<0x20: out += ("\\u" + JSONScanner.hex4(UInt32(byte))).utf8
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A number as JSON text: `42`, `-0`, `1.5`, `1e+300`.
    package static func numberText(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 9_007_199_254_740_992 {
            if v == 0 { return v.sign == .minus ? "-0" : "0" }
            return String(Int64(v))
        }
        return v.description
    }

    /// A string in double quotes with JSON escapes.
    package static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + JSONScanner.hex4(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
