/// A JSONDocument is a JSON value to be written out, with object keys kept
/// in the order given, so reports are stable byte for byte. It writes
/// itself indented (for reports people also read) or on one line.
package indirect enum JSONDocument: Sendable {
    case object([(String, JSONDocument)])
    case array([JSONDocument])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null

    /// A string, or `null` for nil.
    package static func text(_ s: String?) -> JSONDocument { s.map { .string($0) } ?? .null }

    /// The JSON text; `indent` spaces per level, or one line when 0.
    package func render(indent: Int = 2) -> String {
        var out = JSONBytes(capacity: 4096)
        write(&out, indent: indent, depth: 0)
        if indent > 0 { out.byte(0x0A) }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    private func write(_ out: inout JSONBytes, indent: Int, depth: Int) {
        func newline(_ level: Int) {
            guard indent > 0 else { return }
            out.byte(0x0A)
            for _ in 0..<(indent * level) { out.byte(0x20) }
        }
        switch self {
        case .object(let members):
            guard !members.isEmpty else { return out.raw("{}") }
            out.byte(UInt8(ascii: "{"))
            for (k, (key, value)) in members.enumerated() {
                if k > 0 { out.byte(UInt8(ascii: ",")) }
                newline(depth + 1)
                out.string(key)
                out.raw(indent > 0 ? ": " : ":")
                value.write(&out, indent: indent, depth: depth + 1)
            }
            newline(depth)
            out.byte(UInt8(ascii: "}"))
        case .array(let items):
            guard !items.isEmpty else { return out.raw("[]") }
            out.byte(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.byte(UInt8(ascii: ",")) }
                newline(depth + 1)
                item.write(&out, indent: indent, depth: depth + 1)
            }
            newline(depth)
            out.byte(UInt8(ascii: "]"))
        case .string(let s):
            out.string(s)
        case .int(let v):
            out.int(v)
        case .bool(let b):
            out.raw(b ? "true" : "false")
        case .null:
            out.raw("null")
        }
    }
}
