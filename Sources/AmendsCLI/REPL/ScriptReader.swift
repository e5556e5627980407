#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The REPL when it is not talking to a terminal (`amends repl < script`):
/// plain lines from standard input, no prompt decorations, no escape codes.
/// The exit status is 1 when an entry failed, 0 otherwise.
struct ScriptReader: Sendable {
    var session: Session
    /// A plain `>>> ` prompt, for a terminal that cannot be driven (TERM=dumb).
    var prompt: Bool
    /// Where entries are read from.
    var input: Int32 = 0

    /// Reads and runs every entry, printing on the console.
    mutating func run() -> Int32 {
        run { chunk in
            if chunk.isError {
                Console.out.flush()
                Console.err.write(chunk.text)
                Console.err.flush()
            } else {
                Console.out.write(chunk.text)
            }
        }
    }

    /// Reads and runs every entry, giving what they print to `emit`
    /// (prompts too); 1 when an entry failed, else 0.
    mutating func run(_ emit: (Session.Reply.Chunk) -> Void) -> Int32 {
        var lines = LineReader(fd: input)
        var assembler = EntryAssembler()
        var failed = false
        func show(_ reply: Session.Reply) {
            for chunk in reply.chunks { emit(chunk) }
            Console.out.flush()
        }
        while true {
            if prompt {
                emit(Session.Reply.Chunk(text: assembler.pending.isEmpty ? ">>> " : "... ", isError: false))
                Console.out.flush()
            }
            guard let line = lines.next() else { break }
            for entry in assembler.feed(line) {
                let reply = session.run(entry)
                show(reply)
                if reply.failed { failed = true }
                if reply.exit { return failed ? 1 : 0 }
            }
        }
        if let entry = assembler.finish() {
            let reply = session.run(entry)
            show(reply)
            if reply.failed { failed = true }
        }
        return failed ? 1 : 0
    }
}

/// An EntryAssembler gathers lines into entries as the prompt would: an
/// entry goes on while `InputShape.needsMore` says so. One thing more for
/// scripts, which have no one to press Enter on a blank line: in a block,
/// a line that is not indented ends the block and starts the next entry.
struct EntryAssembler: Sendable {
    private(set) var pending: [String] = []

    /// Adds a line; returns the entries it finished (none, one or two).
    mutating func feed(_ line: String) -> [String] {
        var done: [String] = []
        let indented = line.first == " " || line.first == "\t"
        let blank = line.trimmingWhitespace.isEmpty
        if !pending.isEmpty, !blank, !indented, !line.hasPrefix("#"), pending.count > 1 {
            let text = pending.joined(separator: "\n")
            let scan = InputShape.Scan(text)
            if scan.depth == 0 && scan.opensBlock {
                done.append(text)
                pending = []
            }
        }
        if pending.isEmpty && blank { return done }
        pending.append(line)
        let text = pending.joined(separator: "\n")
        if !InputShape.needsMore(text) {
            done.append(text)
            pending = []
        }
        return done
    }

    /// The entry left when the input ends, if any.
    mutating func finish() -> String? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending.joined(separator: "\n")
    }
}

/// A LineReader reads lines from a file descriptor with read(2): no length
/// limit, `\r\n` and `\n` both end a line, a last line without a line end
/// counts, invalid UTF-8 becomes U+FFFD.
struct LineReader: Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    init(fd: Int32) { self.fd = fd }

    mutating func next() -> String? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                var end = nl
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = nl + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                eof = true
                continue
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
