import Amends

/// A FrameReader splits the bytes of an LSP stream into message bodies:
/// each is a header block (`Content-Length: N`, other headers ignored,
/// lines ending in CRLF, a blank line after) then N bytes of JSON.
///
/// It never fails: a header block without a usable length is dropped and
/// reported as `.malformed`, so the server can answer with a JSON-RPC parse
/// error and read on.
struct FrameReader: Sendable {
    /// A body may be at most this long: a policy file's limit (16 MiB) as
    /// JSON escapes could make it, plus room for the rest of the message.
    static let maxBody = 4 * Lexer.maxFileSize
    /// A header block longer than this is not a header block.
    static let maxHeader = 8 << 10

    enum Frame: Sendable, Equatable {
        case body([UInt8])
        case malformed(String)
    }

    private var buffer: [UInt8] = []
    private var start = 0

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Whether a whole frame, or nothing, is buffered.
    var isEmpty: Bool { start >= buffer.count }

    /// The next complete frame, or nil when more bytes are needed.
    mutating func next() -> Frame? {
        guard let end = headerEnd() else {
            if buffer.count - start > FrameReader.maxHeader {
                start = buffer.count
                return .malformed("a header block longer than \(FrameReader.maxHeader) bytes")
            }
            return nil
        }
        let header = String(decoding: buffer[start..<end.headerEnd], as: UTF8.self)
        var length: Int?
        for line in header.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingWhitespace.lowercased()
            if name == "content-length" { length = Int(line[line.index(after: colon)...].trimmingWhitespace) }
        }
        guard let length, length >= 0, length <= FrameReader.maxBody else {
            start = end.bodyStart
            return .malformed("a header without a valid `Content-Length`")
        }
        guard buffer.count - end.bodyStart >= length else { return nil }
        let body = Array(buffer[end.bodyStart..<(end.bodyStart + length)])
        start = end.bodyStart + length
        return .body(body)
    }

    /// Where the header block from `start` ends (its blank line), if buffered.
    private func headerEnd() -> (headerEnd: Int, bodyStart: Int)? {
        var i = start
        let n = buffer.count
        while i + 1 < n {
            if buffer[i] == 0x0A && buffer[i + 1] == 0x0A { return (i, i + 2) }
            if i + 3 < n && buffer[i] == 0x0D && buffer[i + 1] == 0x0A && buffer[i + 2] == 0x0D && buffer[i + 3] == 0x0A {
                return (i, i + 4)
            }
            if i - start > FrameReader.maxHeader { return nil }
            i += 1
        }
        return nil
    }

    /// A message framed for the wire.
    static func frame(_ message: JSONValue) -> [UInt8] {
        let body = message.serializedBytes()
        return Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }
}
