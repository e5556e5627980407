/// A JSONTree is a JSON document built as a value, keys in the order they
/// are added, for the tools' report formats (`amends test --format json`,
/// `amends explain --format json`). `run` writes its per-record lines with
/// the faster `JSONBytes`; reports are small and read better indented.
package indirect enum JSONTree: Sendable, Equatable {
    case object([(String, JSONTree)])
    case array([JSONTree])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    package static func == (a: JSONTree, b: JSONTree) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// A string, or null when nil.
    package static func optional(_ s: String?) -> JSONTree { s.map { .string($0) } ?? .null }

    package static func int(_ v: Int) -> JSONTree { .number(Double(v)) }

    /// The document as text, indented by two spaces per level, ending with
    /// a newline. Empty objects and arrays, and arrays of scalars, stay on
    /// one line.
    package func rendered() -> String {
        var out = JSONBytes(capacity: 4096)
        write(into: &out, indent: 0)
        out.byte(0x0A)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The document on one line (no newline).
    package func compact() -> String {
        var out = JSONBytes(capacity: 1024)
        write(into: &out, indent: nil)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    func write(into out: inout JSONBytes, indent: Int?) {
        switch self {
        case .string(let s): out.string(s)
        case .number(let v): out.number(v)
        case .bool(let b): b ? out.raw("true") : out.raw("false")
        case .null: out.raw("null")
        case .array(let items):
            if items.isEmpty { out.raw("[]"); return }
            let flat = indent == nil || items.allSatisfy(\.isScalar)
            out.byte(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.byte(UInt8(ascii: ",")); if flat && indent != nil { out.byte(0x20) } }
                if !flat, let indent { newline(&out, indent + 1) }
                item.write(into: &out, indent: indent.map { $0 + 1 })
            }
            if !flat, let indent { newline(&out, indent) }
            out.byte(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out.raw("{}"); return }
            out.byte(UInt8(ascii: "{"))
            for (k, (key, value)) in members.enumerated() {
                if k > 0 { out.byte(UInt8(ascii: ",")) }
                if let indent { newline(&out, indent + 1) }
                out.string(key)
                out.byte(UInt8(ascii: ":"))
                if indent != nil { out.byte(0x20) }
                value.write(into: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { newline(&out, indent) }
            out.byte(UInt8(ascii: "}"))
        }
    }

    var isScalar: Bool {
        switch self {
        case .object, .array: return false
        default: return true
        }
    }

    private func newline(_ out: inout JSONBytes, _ level: Int) {
        out.byte(0x0A)
        for _ in 0..<(level * 2) { out.byte(0x20) }
    }
}
