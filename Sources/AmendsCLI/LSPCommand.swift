#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

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
    sent once the input waiting has been read, so a burst of typing is checked
    once. Logs nothing; exits when the editor says `exit` or closes the input.

    exit status: 0 after `shutdown` then `exit`, 1 otherwise
    """

    static func main(_ args: [String]) -> Int32 {
        guard args.isEmpty else { return CLI.usage("`amends lsp` takes no arguments", command: name) }
        let server = LSPServer(base: WorkingFolder.path)
        var reader = FrameReader()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
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
            if !inputWaiting() { send(server.idle()) }
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
