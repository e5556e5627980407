import Amends

// The small part of JSON-RPC 2.0 and LSP 3.17 the server speaks: messages
// are JSONValues (the project's own JSON tree), positions are a line and a
// UTF-16 code unit within it, as the protocol's default encoding says.

/// An RPCError is a JSON-RPC error answer: a code from the specification
/// and a message.
struct RPCError: Error, Sendable {
    var code: Int
    var message: String

    static let parseError = -32700
    static let invalidRequest = -32600
    static let methodNotFound = -32601
    static let invalidParams = -32602
    static let internalError = -32603
    static let serverNotInitialized = -32002
    static let requestFailed = -32803

    static func invalidParams(_ message: String) -> RPCError { RPCError(code: invalidParams, message: message) }
}

extension JSONValue {
    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An integer in range, or nil (JSON numbers are Doubles here).
    var int: Int? {
        guard case .number(let d) = self, d.isFinite, d == d.rounded(), abs(d) < 9_007_199_254_740_992 else { return nil }
        return Int(d)
    }

    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    static func int(_ v: Int) -> JSONValue { .number(Double(v)) }
}

/// A Position in a document as LSP counts it: a 0-based line and a 0-based
/// UTF-16 code unit within the line.
struct LSPPosition: Sendable, Equatable {
    var line: Int
    var character: Int

    init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    init(_ json: JSONValue?) throws(RPCError) {
        guard let json, let line = json["line"]?.int, let character = json["character"]?.int, line >= 0, character >= 0 else {
            throw RPCError.invalidParams("a position needs a `line` and a `character`, both whole numbers from 0")
        }
        self.init(line: line, character: character)
    }

    var json: JSONValue { ["line": .int(line), "character": .int(character)] }
}

/// Conversions between a source's UTF-8 byte offsets (Amends' spans) and
/// LSP positions. A character past a line's end means the line's end, as
/// the protocol says; a line past the last means the end of the text.
extension SourceText {
    func position(of offset: Int) -> LSPPosition {
        let offset = min(max(0, offset), bytes.count)
        let line = lineIndex(of: offset)
        // INVARIANT: lineIndex returns an index of lineStarts.
        var i = lineStarts[line]
        var units = 0
        while i < offset {
            if bytes[i] < 0x80 {
                units += 1
                i += 1
                continue
            }
            let (scalar, length) = UTF8Scalar.decode(bytes, at: i, end: offset)
            units += (scalar?.value ?? 0) > 0xFFFF ? 2 : 1
            i += max(1, length)
        }
        return LSPPosition(line: line, character: units)
    }

    func offset(of position: LSPPosition) -> Int {
        guard position.line < lineStarts.count else { return bytes.count }
        var i = lineStarts[position.line]
        let lineEnd = position.line + 1 < lineStarts.count ? lineStarts[position.line + 1] : bytes.count
        var units = 0
        while i < lineEnd && units < position.character {
            if bytes[i] == 0x0A || bytes[i] == 0x0D { break }
            if bytes[i] < 0x80 {
                units += 1
                i += 1
                continue
            }
            let (scalar, length) = UTF8Scalar.decode(bytes, at: i, end: lineEnd)
            units += (scalar?.value ?? 0) > 0xFFFF ? 2 : 1
            i += max(1, length)
        }
        return i
    }

    func range(_ span: Span) -> JSONValue {
        ["start": position(of: span.start).json, "end": position(of: max(span.start, span.end)).json]
    }
}

/// Document addresses: `file://` URIs and the paths Amends' loader reads.
enum DocumentURI {
    /// The path of a `file://` URI, percent-decoded; other schemes are kept
    /// whole (such a document is still checked, its `use`s read from the
    /// working folder).
    static func path(_ uri: String) -> String {
        guard uri.hasPrefix("file://") else { return uri }
        var rest = Array(uri.utf8.dropFirst(7))
        // `file://host/path`: only the local host is meaningful.
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")), slash > 0 { rest = Array(rest[slash...]) }
        var out: [UInt8] = []
        var i = 0
        while i < rest.count {
            if rest[i] == UInt8(ascii: "%"), i + 2 < rest.count, let h = hex(rest[i + 1]), let l = hex(rest[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(rest[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `file://` URI of a path (made absolute against `base`).
    static func uri(_ path: String, base: String) -> String {
        if path.contains("://") { return path }
        let absolute = path.hasPrefix("/") ? path : FileSystem.join(base, path)
        var out = "file://"
        for byte in absolute.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "/-._~".contains(c)) {
                out.append(c)
            } else {
                let digits = Array("0123456789ABCDEF")
                out += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
            }
        }
        return out
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
