/// JSONBytes builds JSON text straight into a byte array: no Foundation, no
/// intermediate strings for the fixed parts. Output escapes per RFC 8259
/// (`"` `\` and control characters; everything else as UTF-8).
public struct JSONBytes: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func raw(_ b: [UInt8]) {
        bytes.append(contentsOf: b)
    }

    public mutating func byte(_ c: UInt8) {
        bytes.append(c)
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    /// A JSON string of UTF-8 bytes, escaped as `OutputBuffer` escapes
    /// them (a byte that is not part of well-formed UTF-8 as U+FFFD).
    public mutating func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        let out = OutputBuffer(capacity: s.count &* 6 &+ 2)
        out.string(utf8: s)
        bytes.append(contentsOf: out.bytes)
    }

    /// A whole number as JSON.
    public mutating func int(_ v: Int) {
        let out = OutputBuffer(capacity: 24)
        out.int(v)
        bytes.append(contentsOf: out.bytes)
    }

    /// A number as JSON, as `OutputBuffer.number` writes it: whole numbers
    /// without a fraction.
    public mutating func number(_ v: Double) {
        let out = OutputBuffer(capacity: 32)
        out.number(v)
        bytes.append(contentsOf: out.bytes)
    }
}
