/// JSONBytes builds JSON text straight into a byte array: no Foundation, no
/// intermediate strings for the fixed parts. Output escapes per RFC 8259
/// (`"` `\` and control characters; everything else as UTF-8).
package struct JSONBytes: Sendable {
    package var bytes: [UInt8]

    package init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    package mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    package mutating func raw(_ b: [UInt8]) {
        bytes.append(contentsOf: b)
    }

    package mutating func byte(_ c: UInt8) {
        bytes.append(c)
    }

    package mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    /// A JSON string of UTF-8 bytes, escaped as `OutputBuffer` escapes
    /// them (a byte that is not part of well-formed UTF-8 as U+FFFD).
    package mutating func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        let out = OutputBuffer(capacity: s.count &* 6 &+ 2)
        out.string(utf8: s)
        bytes.append(contentsOf: out.bytes)
    }

    /// A whole number as JSON.
    package mutating func int(_ v: Int) {
        let out = OutputBuffer(capacity: 24)
        out.int(v)
        bytes.append(contentsOf: out.bytes)
    }

    /// A number as JSON, as `OutputBuffer.number` writes it: whole numbers
    /// without a fraction.
    package mutating func number(_ v: Double) {
        let out = OutputBuffer(capacity: 32)
        out.number(v)
        bytes.append(contentsOf: out.bytes)
    }
}
