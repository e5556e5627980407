#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// A client of `amends lsp` over two pipes, for target 7: messages framed
/// as the protocol says (Content-Length), answers read back and parsed.
final class LanguageServerClient {
    private let pid: pid_t
    private let input: Int32
    private let output: Int32
    private var buffer: [UInt8] = []
    private var nextID = 0

    init?(amends: String) {
        var toServer: [Int32] = [0, 0], fromServer: [Int32] = [0, 0]
        guard pipe(&toServer) == 0, pipe(&fromServer) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toServer[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromServer[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        for fd in toServer + fromServer { posix_spawn_file_actions_addclose(&actions, fd) }
        var cargs: [UnsafeMutablePointer<CChar>?] = [strdup(amends), strdup("lsp"), nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, amends, &actions, nil, &cargs, environ) == 0 else { return nil }
        self.pid = pid
        close(toServer[0])
        close(fromServer[1])
        input = toServer[1]
        output = fromServer[0]
    }

    func send(_ message: JSONValue) {
        let body = Array(message.serialized().utf8)
        let bytes = Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            done += n
        }
    }

    func notify(_ method: String, _ params: JSONValue) {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// Sends a request and reads until its answer; nil if the server is gone.
    func request(_ method: String, _ params: JSONValue) -> JSONValue? {
        nextID += 1
        let id = nextID
        send(["jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method), "params": params])
        while let message = next() {
            if message["id"] == .number(Double(id)) { return message }
        }
        return nil
    }

    /// Reads until a notification of `method`; nil if the server is gone.
    func wait(for method: String) -> JSONValue? {
        while let message = next() {
            if message["method"] == .string(method) { return message }
        }
        return nil
    }

    /// The next message from the server.
    func next() -> JSONValue? {
        while true {
            if let end = headerEnd() {
                let header = String(decoding: buffer[..<end], as: UTF8.self)
                guard let field = header.split(separator: "\r\n").first(where: { $0.hasPrefix("Content-Length:") }),
                      let length = Int(field.dropFirst("Content-Length:".count).filter { $0 != " " }) else { return nil }
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    guard case .success(let message) = JSONValue.parse(body) else { return nil }
                    return message
                }
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            buffer += chunk[0..<n]
        }
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// `shutdown`, `exit`, and the exit status.
    func finish() -> Int32 {
        _ = request("shutdown", .null)
        notify("exit", .null)
        close(input)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(output)
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}

enum LanguageServerBenchmark {
    struct Figure {
        var name: String
        var afterEdit: Double
        var again: Double
    }

    /// Each request on a `lines`-line policy, timed right after an edit (the
    /// policy checked again first) and again once the edit's diagnostics are
    /// made; medians of `runs`. Nil if the server could not be driven.
    static func measure(amends: String, lines: Int, runs: Int) -> (open: Double, figures: [Figure])? {
        let text = Workload.largePolicy(lines: lines)
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let target = all.firstIndex(where: { $0.hasPrefix("rule \"group 700\"") }),
              let field = all[target].utf8.firstRange(of: "severity".utf8),
              let define = all[target].utf8.firstRange(of: "valued".utf8),
              let client = LanguageServerClient(amends: amends) else { return nil }
        let fieldAt = all[target].utf8.distance(from: all[target].utf8.startIndex, to: field.lowerBound) + 2
        let defineAt = all[target].utf8.distance(from: all[target].utf8.startIndex, to: define.lowerBound) + 2
        let uri: JSONValue = "file:///tmp/amends-bench-lsp/large.policy"
        let doc: JSONValue = ["uri": uri]
        func at(_ line: Int, _ character: Int) -> [(String, JSONValue)] {
            [("textDocument", doc), ("position", ["line": .number(Double(line)), "character": .number(Double(character))])]
        }
        func object(_ members: [(String, JSONValue)]) -> JSONValue { .object(members.map { (key: $0.0, value: $0.1) }) }
        let requests: [(String, String, JSONValue)] = [
            ("completion", "textDocument/completion", object(at(target + 1, 9))),
            ("hover", "textDocument/hover", object(at(target, fieldAt))),
            ("definition", "textDocument/definition", object(at(target, defineAt))),
            ("references", "textDocument/references", object(at(target, fieldAt) + [("context", ["includeDeclaration": true])])),
            ("rename", "textDocument/rename", object(at(target, defineAt) + [("newName", "prized")])),
            ("documentSymbol", "textDocument/documentSymbol", ["textDocument": doc]),
            ("foldingRange", "textDocument/foldingRange", ["textDocument": doc]),
            ("semanticTokens", "textDocument/semanticTokens/full", ["textDocument": doc]),
            ("formatting", "textDocument/formatting", ["textDocument": doc, "options": ["tabSize": 2, "insertSpaces": true]]),
            ("codeAction", "textDocument/codeAction", ["textDocument": doc, "range": [
                "start": ["line": .number(Double(target)), "character": 0], "end": ["line": .number(Double(target)), "character": 5]]]),
        ]
        _ = client.request("initialize", ["capabilities": [:]])
        client.notify("initialized", [:])
        let start = Measure.now()
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "amends", "version": 1, "text": .string(text)]])
        guard client.wait(for: "textDocument/publishDiagnostics") != nil else { return nil }
        let open = Measure.now() - start
        var version = 1
        var figures: [Figure] = []
        for (name, method, params) in requests {
            var afterEdit: [Double] = [], again: [Double] = []
            for _ in 0..<runs {
                version += 1
                // An edit that changes no meaning: a `#` at the start of the comment line above.
                let position: JSONValue = ["line": .number(Double(target - 1)), "character": 0]
                client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": .number(Double(version))],
                                                         "contentChanges": [["range": ["start": position, "end": position], "text": "#"]]])
                var t = Measure.now()
                guard let reply = client.request(method, params), reply["error"] == nil else { return nil }
                afterEdit.append(Measure.now() - t)
                // The edit's diagnostics are made meanwhile (unchanged, so not sent).
                usleep(400_000)
                t = Measure.now()
                guard client.request(method, params) != nil else { return nil }
                again.append(Measure.now() - t)
            }
            figures.append(Figure(name: name, afterEdit: Measure.median(afterEdit), again: Measure.median(again)))
        }
        _ = client.finish()
        return (open, figures)
    }
}
