#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends
import Dispatch
import Synchronization

/// `amends lsp`: the language server, on standard input and output.
enum LSPCommand: Command {
    static let name = "lsp"
    static let summary = "the language server for editors (LSP 3.17 on standard input and output)"
    static let usage = "amends lsp"
    static let help = """
    Speaks the Language Server Protocol (3.17) on standard input and output,
    for an editor to start (editors/README.md says how to set one up). It
    gives, for every open policy and the files it `use`s:
      diagnostics as you type   what `amends check` says: every code, its help
                                and related places, the analyses and the lints
      completion                fields, levels after a comparison, roles after
                                `notify`, components after `with`, keywords
      hover                     a field's type, a level's scale, a define's
                                condition, what a rule requires, a code's meaning
      definition, references, rename   fields, defines, roles, remedies,
                                channels, scales, levels and rules, across files
      symbols, folding, formatting (the `amends fmt` layout), semantic tokens,
      code actions              the fixes the diagnostics' help names

    Text sync is incremental (positions in UTF-16 code units). Diagnostics are
    made once the input waiting has been read, so a burst of typing is checked
    once, and on a thread of their own, so requests are answered meanwhile;
    those of a text that changed since are never sent. Logs nothing; exits
    when the editor says `exit` or closes the input.

    exit status: 0 after `shutdown` then `exit`, 1 otherwise
    """

    static func main(_ args: [String]) -> Int32 {
        guard args.isEmpty else { return CLI.usage("`amends lsp` takes no arguments", command: name) }
        let server = LSPServer(base: WorkingFolder.path)
        var reader = FrameReader()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        // The diagnostics are made on a thread of their own, one job at a
        // time, so requests are answered while they are made. The main
        // thread owns the server: the worker hands its result back through
        // `mailbox` and wakes the main thread's `poll` with a byte on a pipe.
        // A job whose text changed meanwhile stops between policies, and
        // its result, if any, is dropped (`Workspace.publish`).
        var wake: [Int32] = [0, 0]
        guard pipe(&wake) == 0 else { return 1 }
        let mailbox = Mailbox()
        var working = false
        while true {
            if !working, !inputWaiting(), let job = server.diagnosticsJob() {
                working = true
                let writeEnd = wake[1]
                DispatchQueue.global(qos: .utility).async {
                    let result = job.run { mailbox.generation.load(ordering: .relaxed) != job.generation }
                    mailbox.put(result)
                    var byte: UInt8 = 1
                    _ = write(writeEnd, &byte, 1)
                }
            }
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                return 1
            }
            if fds[1].revents != 0 {
                var byte: UInt8 = 0
                _ = read(wake[0], &byte, 1)
                if case .some(let result) = mailbox.take() {
                    working = false
                    if let result { send(server.published(result)) }
                }
            }
            guard fds[0].revents != 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return 1 }
            reader.append(chunk[0..<n])
            while let frame = reader.next() {
                switch frame {
                case .body(let body): send(server.receive(body))
                case .malformed(let why): send([LSPServer.error(.null, RPCError(code: RPCError.parseError, message: why))])
                }
                if let status = server.exitStatus { return status }
            }
            mailbox.generation.store(server.workspace.generation, ordering: .relaxed)
        }
    }

    /// Where the diagnostics worker leaves its result for the main thread
    /// (`.some(nil)` for a job that stopped because the text changed), and
    /// the generation of the text now, which the worker reads to stop early.
    final class Mailbox: Sendable {
        private let slot = Mutex<Workspace.DiagnosticsResult??>(nil)
        let generation = Atomic<Int>(0)

        func put(_ result: Workspace.DiagnosticsResult?) { slot.withLock { $0 = .some(result) } }

        func take() -> Workspace.DiagnosticsResult?? {
            slot.withLock { value in
                defer { value = nil }
                return value
            }
        }
    }

    /// Whether more input can be read at once (then diagnostics wait for it).
    private static func inputWaiting() -> Bool {
        var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&fds, 1, 0) > 0
    }

    private static func send(_ messages: [JSONValue]) {
        guard !messages.isEmpty else { return }
        for message in messages { Console.out.write(bytes: FrameReader.frame(message)) }
        Console.out.flush()
    }
}
