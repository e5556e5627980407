import Testing
@testable import Amends
@testable import AmendsCLI

/// The language server without an editor: framed messages in, through the
/// same frame reader `amends lsp` uses, and every message out parsed back
/// and checked to be JSON-RPC 2.0.
final class LSPClient {
    let server = LSPServer(base: "/virtual")
    private var reader = FrameReader()
    private var nextID = 0
    /// Every message the server sent, in order.
    private(set) var received: [JSONValue] = []
    /// Messages that were not valid JSON-RPC 2.0, described.
    private(set) var invalid: [String] = []

    init(initialize: Bool = true) {
        if initialize {
            _ = request("initialize", ["capabilities": [:], "processId": .null])
            notify("initialized", [:])
        }
    }

    /// Sends raw bytes as a client would write them; returns what came back.
    @discardableResult
    func feed(_ bytes: [UInt8]) -> [JSONValue] {
        reader.append(bytes)
        var out: [JSONValue] = []
        while let frame = reader.next() {
            switch frame {
            case .body(let body): out += server.receive(body)
            case .malformed(let why): out.append(LSPServer.error(.null, RPCError(code: RPCError.parseError, message: why)))
            }
        }
        out += server.idle()
        for message in out { check(message) }
        received += out
        return out
    }

    func send(_ message: JSONValue) -> [JSONValue] { feed(FrameReader.frame(message)) }

    /// The result (or error) of a request, and what was sent with it.
    func request(_ method: String, _ params: JSONValue) -> JSONValue {
        nextID += 1
        let id = nextID
        let out = send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
        guard let response = out.first(where: { $0["id"]?.int == id }) else { return .null }
        return response["result"] ?? response["error"].map { ["error": $0] } ?? .null
    }

    @discardableResult
    func notify(_ method: String, _ params: JSONValue) -> [JSONValue] {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    func open(_ uri: String, _ text: String) {
        notify("textDocument/didOpen", ["textDocument": ["uri": .string(uri), "languageId": "amends", "version": 1,
                                                         "text": .string(text)]])
    }

    /// The diagnostics last published for `uri`.
    func diagnostics(_ uri: String) -> [JSONValue] {
        received.last { $0["method"]?.string == "textDocument/publishDiagnostics" && $0["params"]?["uri"]?.string == uri }?["params"]?["diagnostics"]?.array ?? []
    }

    /// A message is a response (an id, and a result or an error with a
    /// numeric code and a message) or a notification (a method).
    private func check(_ message: JSONValue) {
        let text = message.serialized()
        guard case .success(let parsed) = JSONValue.parse(text), parsed["jsonrpc"]?.string == "2.0" else {
            invalid.append(text)
            return
        }
        if parsed["method"]?.string != nil { return }
        guard parsed["id"] != nil else { invalid.append(text); return }
        if let error = parsed["error"] {
            if error["code"]?.int == nil || error["message"]?.string == nil { invalid.append(text) }
        } else if parsed["result"] == nil {
            invalid.append(text)
        }
    }

    static func position(_ line: Int, _ character: Int) -> JSONValue { ["line": .int(line), "character": .int(character)] }

    static func doc(_ uri: String, _ line: Int, _ character: Int) -> JSONValue {
        ["textDocument": ["uri": .string(uri)], "position": position(line, character)]
    }
}

/// Applies LSP text edits to a text (UTF-16 positions), as an editor does.
func applyEdits(_ text: String, _ edits: [JSONValue]) -> String {
    let source = SourceText(path: "t", text: text)
    var bytes = source.bytes
    let spans = edits.compactMap { edit -> (Int, Int, String)? in
        guard let range = edit["range"], let start = try? LSPPosition(range["start"]), let end = try? LSPPosition(range["end"]),
              let new = edit["newText"]?.string else { return nil }
        return (source.offset(of: start), source.offset(of: end), new)
    }
    for (start, end, new) in spans.sorted(by: { $0.0 > $1.0 }) { bytes.replaceSubrange(start..<end, with: Array(new.utf8)) }
    return String(decoding: bytes, as: UTF8.self)
}

struct LSPTests {
    static let policy = """
    use "common.policy"

    scale severity: low < medium < high < critical

    record incident:
      severity: severity
      reported: time

    deadlines from reported
    roles: supervisor, owner

    when severity >= high and urgent:
      notify supervisr
      require apology with repair, responsibility
      follow up in 3 days
    when severity >= low: notify owner; follow up in 1 day

    """
    static let common = "define urgent: severity >= medium\n"
    static let main = "file:///virtual/main.policy"
    static let commonURI = "file:///virtual/common.policy"

    static func client() -> LSPClient {
        let client = LSPClient()
        client.open(commonURI, common)
        client.open(main, policy)
        return client
    }

    @Test func aTypoGetsItsCodeAndHelpAndTheCodeActionFixesIt() throws {
        let client = Self.client()
        let diagnostics = client.diagnostics(Self.main)
        try #require(diagnostics.count == 1, "\(diagnostics.map { $0.serialized() })")
        let d = diagnostics[0]
        #expect(d["code"]?.string == "E104")
        #expect(d["severity"]?.int == 1)
        #expect(d["message"]?.string == "unknown role `supervisr`\nhelp: did you mean `supervisor`?")
        #expect(d["range"] == ["start": LSPClient.position(12, 9), "end": LSPClient.position(12, 18)])

        let actions = client.request("textDocument/codeAction", ["textDocument": ["uri": .string(Self.main)],
                                                                  "range": d["range"] ?? .null, "context": ["diagnostics": [d]]])
        let preferred = try #require(actions.array?.first { $0["isPreferred"]?.bool == true })
        #expect(preferred["title"]?.string == "replace `supervisr` with `supervisor`")
        let edits = try #require(preferred["edit"]?["changes"]?[Self.main]?.array)
        let fixed = applyEdits(Self.policy, edits)
        #expect(fixed.contains("  notify supervisor\n"))
        client.notify("textDocument/didChange", ["textDocument": ["uri": .string(Self.main), "version": 2],
                                                 "contentChanges": .array(edits.map { ["range": $0["range"] ?? .null, "text": $0["newText"] ?? ""] })])
        #expect(client.diagnostics(Self.main).isEmpty)
        #expect(client.invalid.isEmpty)
    }

    @Test func theDeclareItFixAddsTheRole() throws {
        let client = Self.client()
        let d = try #require(client.diagnostics(Self.main).first)
        let actions = try #require(client.request("textDocument/codeAction", ["textDocument": ["uri": .string(Self.main)],
                                                                              "range": d["range"] ?? .null]).array)
        let declare = try #require(actions.first { $0["title"]?.string == "declare `supervisr` in `roles:`" })
        let edits = try #require(declare["edit"]?["changes"]?[Self.main]?.array)
        #expect(applyEdits(Self.policy, edits).contains("roles: supervisor, owner, supervisr\n"))
    }

    /// Opens `text`, takes the fix titled `title` (its start) of the first
    /// finding with `code`, applies it as an editor does and sends the new
    /// text: the fixed text, and the codes then published.
    static func applyFix(_ code: String, _ title: String, in text: String) throws -> (text: String, codes: [String]) {
        let client = LSPClient()
        let uri = "file:///virtual/lint.policy"
        client.open(uri, text)
        let d = try #require(client.diagnostics(uri).first { $0["code"]?.string == code },
                             "no \(code) in \(client.diagnostics(uri).map { $0["code"]?.string ?? "" })")
        let actions = try #require(client.request("textDocument/codeAction", ["textDocument": ["uri": .string(uri)],
                                                                              "range": d["range"] ?? .null]).array)
        let action = try #require(actions.first { $0["title"]?.string?.hasPrefix(title) == true },
                                  "no fix `\(title)…` for \(code): \(actions.compactMap { $0["title"]?.string })")
        let fixed = applyEdits(text, try #require(action["edit"]?["changes"]?[uri]?.array))
        client.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 2],
                                                 "contentChanges": [["text": .string(fixed)]]])
        #expect(client.invalid.isEmpty)
        return (fixed, client.diagnostics(uri).compactMap { $0["code"]?.string })
    }

    @Test(arguments: [
        // W401, W402: the apology's components completed; its deadline kept.
        ("W401", "write `require apology with", "record incident:\n  amount: number = 0\nwhen amount > 1: require apology with repair, regret within 2 days\n",
         "require apology with repair, responsibility, regret within 2 days"),
        ("W402", "write `require apology with", "record incident:\n  amount: number = 0\nwhen amount > 1:\n  require apology with responsibility within 1 day\n",
         "  require apology with repair, responsibility within 1 day\n"),
        // W403: `forgiveness` left out.
        ("W403", "write `require apology with", "record incident:\n  amount: number = 0\nwhen amount > 1: require apology with repair, responsibility, forgiveness\n",
         "when amount > 1: require apology with repair, responsibility\n"),
        // W404: the follow-up rule added.
        ("W404", "add the rule `when severity >= high: follow up in 3 days`",
         "scale severity: low < high\nrecord incident:\n  severity: severity\nroles: supervisor\nwhen severity >= high: notify supervisor\n",
         "notify supervisor\n\nwhen severity >= high: follow up in 3 days\n"),
        // W405: the condition narrowed, or the apology waived for the customer's fault.
        ("W405", "add `and caused_by != customer`",
         "record incident:\n  caused_by: one of us, customer\n  amount: number = 0\nwhen amount > 100: require apology with repair, responsibility\n",
         "when amount > 100 and caused_by != customer: require"),
        ("W405", "add the rule `when caused_by = customer: waive apology`",
         "record incident:\n  caused_by: one of us, customer\n  amount: number = 0\nwhen amount > 100: require apology with repair, responsibility\n",
         "\nwhen caused_by = customer: waive apology\n"),
        // W406: an apology added to the rule of the offer (one line, then a block).
        ("W406", "add `require apology with repair, responsibility` to this rule",
         "record incident:\n  amount: number = 0\nremedies: credit\nwhen amount > 100: offer credit # goodwill\n",
         "when amount > 100: offer credit; require apology with repair, responsibility # goodwill\n"),
        ("W406", "add `require apology with repair, responsibility` to this rule",
         "record incident:\n  amount: number = 0\nremedies: credit\nwhen amount > 100:\n    task \"call\"\n    offer credit  # goodwill\n",
         "    offer credit  # goodwill\n    require apology with repair, responsibility\n"),
        // W407: the apology rule added.
        ("W407", "add the rule `when caused_by = us: require apology with repair, responsibility`",
         "record incident:\n  caused_by: one of us, vendor, customer\n  amount: number = 0\nwhen amount >= 0: task \"look into it\"\n",
         "\nwhen caused_by = us: require apology with repair, responsibility\n"),
        // W408: the review added, or `prevention` left out.
        ("W408", "add `review cause within 14 days` to this rule",
         "record incident:\n  repeat: number = 0\nwhen repeat > 1:\n  require apology with repair, responsibility, prevention\n",
         "prevention\n  review cause within 14 days\n"),
        ("W408", "leave `prevention` out",
         "record incident:\n  repeat: number = 0\nwhen repeat > 1: require apology with repair, responsibility, prevention within 1 day\n",
         "when repeat > 1: require apology with repair, responsibility within 1 day\n"),
        // W409: the supervisor told as soon as the client; others keep their deadline.
        ("W409", "write `notify supervisor within 1 hour`",
         "record incident:\n  amount: number = 0\nroles: supervisor\nwhen amount > 1: notify supervisor within 4 hours; respond within 1 hour\n",
         "notify supervisor within 1 hour; respond within 1 hour\n"),
        ("W409", "write `notify owner within 4 hours; notify supervisor within 1 hour`",
         "record incident:\n  amount: number = 0\nroles: supervisor, owner\nwhen amount > 1: notify supervisor, owner within 4 hours; respond within 1 hour\n",
         "notify owner within 4 hours; notify supervisor within 1 hour; respond within 1 hour\n"),
    ])
    func theDomainLintsFixesRemoveTheirFinding(_ code: String, _ title: String, _ text: String, _ expected: String) throws {
        let (fixed, codes) = try Self.applyFix(code, title, in: text)
        #expect(fixed.contains(expected), "\(fixed)")
        #expect(!codes.contains(code), "\(code) is still found in\n\(fixed)")
        #expect(!codes.contains { $0.hasPrefix("E") }, "the fix made an error: \(codes) in\n\(fixed)")
    }

    @Test func completionAfterNotifyListsTheRoles() {
        let client = Self.client()
        // Line 16 is `when severity >= low: notify owner; …`: after `notify `.
        let result = client.request("textDocument/completion", LSPClient.doc(Self.main, 15, 29))
        let labels = result["items"]?.array?.compactMap { $0["label"]?.string } ?? []
        #expect(labels == ["supervisor", "owner"])
        // After a comparison with a scale field: its levels.
        let levels = client.request("textDocument/completion", LSPClient.doc(Self.main, 15, 17))
        #expect(levels["items"]?.array?.compactMap { $0["label"]?.string } == ["low", "medium", "high", "critical"])
    }

    @Test func hoverOnAFieldGivesItsTypeAndDeclaration() throws {
        let client = Self.client()
        let hover = client.request("textDocument/hover", LSPClient.doc(Self.main, 11, 7))
        let text = try #require(hover["contents"]?["value"]?.string)
        #expect(text.hasPrefix("field `severity`: scale `severity`"))
        #expect(text.contains("declared at `/virtual/main.policy:6`"))
        let define = client.request("textDocument/hover", LSPClient.doc(Self.main, 11, 28))
        #expect(define["contents"]?["value"]?.string?.hasPrefix("define `urgent`: `severity >= medium`") == true)
        let level = client.request("textDocument/hover", LSPClient.doc(Self.main, 11, 19))
        #expect(level["contents"]?["value"]?.string?.hasPrefix("level `high` of scale `severity`: low < medium < high < critical") == true)
        let code = client.request("textDocument/hover", LSPClient.doc(Self.main, 12, 12))
        #expect(code["contents"]?["value"]?.string?.contains("**E104** `unknown-role`") == true)
    }

    @Test func renameADefineAcrossTwoFiles() throws {
        let client = Self.client()
        let result = client.request("textDocument/rename", ["textDocument": ["uri": .string(Self.main)],
                                                            "position": LSPClient.position(11, 28), "newName": "pressing"])
        let inMain = try #require(result["changes"]?[Self.main]?.array)
        let inCommon = try #require(result["changes"]?[Self.commonURI]?.array)
        #expect(applyEdits(Self.policy, inMain).contains("when severity >= high and pressing:"))
        #expect(applyEdits(Self.common, inCommon) == "define pressing: severity >= medium\n")
        // From the used file too, and definition and references agree.
        let fromCommon = client.request("textDocument/rename", ["textDocument": ["uri": .string(Self.commonURI)],
                                                                "position": LSPClient.position(0, 9), "newName": "pressing"])
        #expect(fromCommon["changes"]?[Self.main]?.array?.count == 1)
        let definition = client.request("textDocument/definition", LSPClient.doc(Self.main, 11, 28))
        #expect(definition.array?.first?["uri"]?.string == Self.commonURI)
        let references = client.request("textDocument/references", LSPClient.doc(Self.main, 5, 4))
        #expect(references.array?.count == 4) // the field `severity`: its declaration, two rules, the define
        let bad = client.request("textDocument/rename", ["textDocument": ["uri": .string(Self.main)],
                                                         "position": LSPClient.position(11, 28), "newName": "not a name"])
        #expect(bad["error"]?["code"]?.int == RPCError.requestFailed)
    }

    @Test func formattingGivesTheFmtLayout() throws {
        let client = LSPClient()
        let messy = "scale severity:   low<high\nrecord incident:\n    severity: severity\nroles: a\nwhen severity>=high: notify a\n"
        client.open("file:///virtual/messy.policy", messy)
        let edits = try #require(client.request("textDocument/formatting", ["textDocument": ["uri": "file:///virtual/messy.policy"],
                                                                            "options": ["tabSize": 2, "insertSpaces": true]]).array)
        #expect(applyEdits(messy, edits) == Formatter.format(text: messy))
        #expect(applyEdits(messy, edits).contains("scale severity: low < high\n"))
    }

    @Test func symbolsFoldingAndTokens() {
        let client = Self.client()
        let symbols = client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(Self.main)]])
        #expect(symbols.array?.compactMap { $0["name"]?.string } == ["severity", "incident", "when severity >= high and urgent", "when severity >= low"])
        let folds = client.request("textDocument/foldingRange", ["textDocument": ["uri": .string(Self.main)]])
        #expect(folds.array?.contains { $0["startLine"]?.int == 11 && $0["endLine"]?.int == 14 } == true)
        let tokens = client.request("textDocument/semanticTokens/full", ["textDocument": ["uri": .string(Self.main)]])
        #expect((tokens["data"]?.array?.count ?? 0) % 5 == 0 && (tokens["data"]?.array?.count ?? 0) > 50)
    }

    /// `amends lsp` makes the diagnostics off the main thread: a job made
    /// for one text, whose text changed before its result came back, is
    /// never published; the next job's result is, with the new version.
    @Test func staleDiagnosticsAreNeverPublished() throws {
        let server = LSPServer(base: "/virtual")
        func send(_ message: JSONValue) -> [JSONValue] { server.receive(Array(message.serialized().utf8)) }
        let uri = "file:///virtual/s.policy"
        _ = send(["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": ["capabilities": [:]]])
        _ = send(["jsonrpc": "2.0", "method": "textDocument/didOpen", "params": ["textDocument": [
            "uri": .string(uri), "languageId": "amends", "version": 1, "text": "roles: owner\nwhen x: notify ownr\n"]]])
        let first = try #require(server.diagnosticsJob())
        #expect(server.diagnosticsJob() == nil, "one job a generation")
        // The text changes while the job runs (here: before it is run).
        _ = send(["jsonrpc": "2.0", "method": "textDocument/didChange", "params": [
            "textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [["text": "roles: owner\n"]]]])
        #expect(first.run { server.workspace.generation != first.generation } == nil, "a job stops when its text changed")
        let late = try #require(first.run())
        #expect(server.published(late).isEmpty, "a stale result is dropped")
        // Requests are answered meanwhile, from the new text.
        let hover = send(["jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": LSPClient.doc(uri, 0, 8)])
        #expect(hover.first?["result"]?["contents"]?["value"]?.string?.hasPrefix("role `owner`") == true)
        let second = try #require(server.diagnosticsJob())
        let published = server.published(try #require(second.run()))
        #expect(published.count == 1)
        #expect(published.first?["params"]?["version"]?.int == 2)
        #expect(published.first?["params"]?["diagnostics"]?.array?.isEmpty == true)
        #expect(server.diagnosticsJob() == nil, "nothing is due once published")
    }

    /// The job's findings made on another thread while the main thread
    /// answers requests on the same analyses (for the thread sanitizer:
    /// `swift test --sanitize=thread --filter LSPTests`).
    @Test func diagnosticsOnAnotherThreadWhileRequestsAreAnswered() async throws {
        let client = Self.client()
        let job = client.server.workspace.diagnosticsJob()
        let worker = Task.detached { job.run() }
        for k in 0..<16 {
            // Edits drop the analyses the worker reads; the main thread compiles anew.
            client.notify("textDocument/didChange", ["textDocument": ["uri": .string(Self.main), "version": .int(2 + k)], "contentChanges": [
                ["range": ["start": LSPClient.position(15, 0), "end": LSPClient.position(15, 0)], "text": "#"]]])
            _ = client.request("textDocument/hover", LSPClient.doc(Self.main, k, 7))
            _ = client.request("textDocument/completion", LSPClient.doc(Self.main, k, 9))
        }
        let result = try #require(await worker.value)
        #expect(result.findings.count == 2 && result.items.count == 2)
        #expect(result.findings.joined().contains { $0.code == .unknownRole })
        #expect(client.server.published(result).isEmpty, "made for the first text")
        #expect(client.invalid.isEmpty)
    }

    /// The server frames its messages from `serializedBytes`: the same text as `serialized()`.
    @Test func serializedBytesAreTheSerializedText() {
        let values: [JSONValue] = [.null, true, false, 0, .number(-0.0), 7, -42, 1.5, 1e300, .number(9_007_199_254_740_992),
                                   .number(-9_007_199_254_740_991), .number(.nan), .number(.infinity),
                                   "a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{1F} é 😀", ["k": [1, "x", .null, [:], []]]]
        for value in values {
            #expect(value.serializedBytes() == Array(value.serialized().utf8), "\(value.serialized())")
        }
    }

    /// Half-typed text: a condition cut short and an action with nothing
    /// after it. The rules are kept with what was read, so the rest of the
    /// file's diagnostics, its names and its completions survive.
    @Test func halfTypedTextKeepsTheRestOfTheFile() throws {
        let client = LSPClient()
        let uri = "file:///virtual/half.policy"
        client.open(uri, """
        scale severity: low < medium < high
        record incident:
          severity: severity
        roles: supervisor, owner
        define urgent: severity >= medium

        when severity >= \n\
          notify supervisr
        when urgent and severity >= high:
          notify \n\
          escalate to ownr
        when severity >= low: notify ownr

        """)
        let found = client.diagnostics(uri).map { "\($0["range"]?["start"]?["line"]?.int ?? -1) \($0["code"]?.string ?? "")" }
        #expect(found == ["6 E024", "7 E104", "9 E020", "10 E104", "11 E104"])
        // The cut-short header's field, the half-typed rule's define.
        let hover = client.request("textDocument/hover", LSPClient.doc(uri, 6, 7))
        #expect(hover["contents"]?["value"]?.string?.hasPrefix("field `severity`") == true)
        let definition = client.request("textDocument/definition", LSPClient.doc(uri, 8, 7))
        #expect(definition.array?.first?["range"]?["start"]?["line"]?.int == 4)
        let roles = client.request("textDocument/completion", LSPClient.doc(uri, 9, 9))
        #expect(roles["items"]?.array?.compactMap { $0["label"]?.string } == ["supervisor", "owner"])
        let symbols = client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(uri)]])
        #expect(symbols.array?.count == 6, "the scale, the record, the define and the three rules")
        // Renaming the field finds it in the header cut short too.
        let rename = client.request("textDocument/rename", ["textDocument": ["uri": .string(uri)],
                                                            "position": LSPClient.position(2, 4), "newName": "level"])
        let lines = rename["changes"]?[uri]?.array?.compactMap { $0["range"]?["start"]?["line"]?.int }
        #expect(lines == [2, 4, 6, 8, 11])
        #expect(client.invalid.isEmpty)
    }

    @Test func incrementalChangesCountUTF16() {
        let client = LSPClient()
        let uri = "file:///virtual/u.policy"
        client.open(uri, "roles: a\n# 😀 é\nwhen x: notify b\n")
        // Replace `b` (line 2, after a line whose emoji is two UTF-16 units).
        client.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [
            ["range": ["start": LSPClient.position(1, 2), "end": LSPClient.position(1, 4)], "text": "🙂"],
            ["range": ["start": LSPClient.position(2, 15), "end": LSPClient.position(2, 16)], "text": "a"],
        ]])
        #expect(client.server.workspace.documents[uri]?.source.text(Span(start: 0, end: 40)) == "roles: a\n# 🙂 é\nwhen x: notify a\n")
        client.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 3],
                                                 "contentChanges": [["text": "roles: z\n"]]])
        #expect(client.server.workspace.documents[uri]?.source.bytes == Array("roles: z\n".utf8))
    }

    @Test func badInputGetsJSONRPCErrors() {
        let client = LSPClient(initialize: false)
        #expect(client.request("textDocument/hover", LSPClient.doc("file:///x", 0, 0))["error"]?["code"]?.int == RPCError.serverNotInitialized)
        _ = client.request("initialize", ["capabilities": [:]])
        #expect(client.feed(Array("Content-Length: 5\r\n\r\n{oops".utf8)).first?["error"]?["code"]?.int == RPCError.parseError)
        #expect(client.feed(Array("Content-Type: x\r\n\r\n".utf8)).first?["error"]?["code"]?.int == RPCError.parseError)
        // Headers besides the length, as VS Code and pygls send them.
        let body = #"{"jsonrpc":"2.0","id":7,"method":"textDocument/foldingRange","params":{}}"#
        let framed = "Content-Length: \(body.utf8.count)\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + body
        #expect(client.feed(Array(framed.utf8)).first?["id"]?.int == 7)
        #expect(client.send(["jsonrpc": "2.0", "id": 1]).first?["error"]?["code"]?.int == RPCError.invalidRequest)
        #expect(client.send([1, 2]).first?["error"]?["code"]?.int == RPCError.invalidRequest)
        #expect(client.request("workspace/symbol", [:])["error"]?["code"]?.int == RPCError.methodNotFound)
        #expect(client.request("textDocument/hover", [:])["error"]?["code"]?.int == RPCError.invalidParams)
        #expect(client.request("textDocument/hover", ["textDocument": ["uri": "file:///nowhere.policy"],
                                                      "position": ["line": -1, "character": 0]])["error"]?["code"]?.int == RPCError.invalidParams)
        // Positions past the end, a document that is not open: no crash.
        client.open("file:///virtual/a.policy", "roles: a\n")
        _ = client.request("textDocument/completion", LSPClient.doc("file:///virtual/a.policy", 99, 99))
        _ = client.request("textDocument/hover", LSPClient.doc("file:///virtual/a.policy", 0, 999))
        client.notify("textDocument/didChange", ["textDocument": ["uri": "file:///virtual/a.policy"],
                                                 "contentChanges": [["range": ["start": LSPClient.position(5, 5), "end": LSPClient.position(0, 0)], "text": "x"]]])
        #expect(client.request("shutdown", .null) == .null)
        #expect(client.request("textDocument/hover", LSPClient.doc("file:///virtual/a.policy", 0, 0))["error"]?["code"]?.int == RPCError.invalidRequest)
        client.notify("exit", .null)
        #expect(client.server.exitStatus == 0)
        #expect(client.invalid.isEmpty)
    }

    /// Half-typed text: every prefix (at a stride; every one for one small
    /// policy) of every shipped policy typed in through incremental
    /// changes, with a completion and a hover at the cursor each time.
    @Test func typingEveryShippedPolicyNeverCrashes() throws {
        let folder = PolicyFilesTests.folder
        for name in PolicyFilesTests.main + ["common/practice.policy"] {
            let text = try FileSystem.read(folder + "/" + name).get()
            let chars = Array(String(decoding: text, as: UTF8.self))
            let stride = name.hasPrefix("common/") ? 1 : 97
            let client = LSPClient()
            let uri = "file://" + folder + "/" + name
            client.open(uri, "")
            var typed = ""
            var k = 0
            while k < chars.count {
                let piece = String(chars[k..<min(chars.count, k + stride)])
                let end = Self.end(of: typed)
                client.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri)], "contentChanges": [
                    ["range": ["start": end, "end": end], "text": .string(piece)]]])
                typed += piece
                k += stride
                let cursor = Self.end(of: typed)
                _ = client.request("textDocument/completion", ["textDocument": ["uri": .string(uri)], "position": cursor])
                _ = client.request("textDocument/hover", ["textDocument": ["uri": .string(uri)], "position": cursor])
            }
            #expect(client.server.workspace.documents[uri]?.source.bytes == text, "\(name) was not rebuilt exactly")
            #expect(client.invalid.isEmpty, "\(name): \(client.invalid.prefix(3))")
            #expect(client.diagnostics(uri).isEmpty, "\(name), typed in whole, has findings: \(client.diagnostics(uri).prefix(2).map { $0.serialized() })")
        }
    }

    static func end(of text: String) -> JSONValue {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return LSPClient.position(lines.count - 1, lines.last.map { $0.utf16.count } ?? 0)
    }
}
