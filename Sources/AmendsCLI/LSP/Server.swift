import Amends

/// An LSPServer is the language server's state and its message handling,
/// apart from the stream: `receive` takes one message body and gives the
/// messages to send back; `idle` gives the diagnostics that changed, and
/// is called when no more input is waiting, so a burst of typing is
/// checked once. Tests drive it directly; `amends lsp` connects it to
/// standard input and output.
final class LSPServer {
    enum State { case starting, running, shuttingDown }

    private(set) var state = State.starting
    var workspace: Workspace
    /// Set by `exit`: the process's exit status (0 after `shutdown`).
    private(set) var exitStatus: Int32?
    /// The generation of the text the last diagnostics job was made for.
    private var jobGeneration = -1

    init(base: String) {
        workspace = Workspace(base: base)
    }

    /// The names of the semantic token types, in the order their numbers mean.
    static let tokenTypes = ["keyword", "string", "number", "comment", "property", "function", "enumMember", "type",
                             "variable", "operator", "class", "event"]

    static var capabilities: JSONValue {
        [
            "positionEncoding": "utf-16",
            "textDocumentSync": ["openClose": true, "change": 2, "save": ["includeText": false]],
            "completionProvider": ["triggerCharacters": [" ", ",", "[", "{"]],
            "hoverProvider": true,
            "definitionProvider": true,
            "referencesProvider": true,
            "renameProvider": ["prepareProvider": true],
            "documentSymbolProvider": true,
            "documentFormattingProvider": true,
            "codeActionProvider": ["codeActionKinds": ["quickfix"]],
            "foldingRangeProvider": true,
            "semanticTokensProvider": ["legend": ["tokenTypes": .array(tokenTypes.map { .string($0) }), "tokenModifiers": ["declaration"]],
                                       "full": true],
        ]
    }

    // MARK: - Messages

    /// Handles one message body; returns what to send (a response, and the
    /// diagnostics a request needed to be current).
    func receive(_ body: [UInt8]) -> [JSONValue] {
        let message: JSONValue
        switch JSONValue.parse(body) {
        case .success(let value): message = value
        case .failure(let error): return [Self.error(.null, RPCError(code: RPCError.parseError, message: "\(error)"))]
        }
        guard case .object = message else {
            return [Self.error(.null, RPCError(code: RPCError.invalidRequest, message: "a message is a JSON object"))]
        }
        let id = message["id"]
        guard let method = message["method"]?.string else {
            // A response to a request of ours (none are sent), or nonsense.
            if id != nil && (message["result"] != nil || message["error"] != nil) { return [] }
            return [Self.error(id ?? .null, RPCError(code: RPCError.invalidRequest, message: "a request needs a `method`"))]
        }
        let params = message["params"] ?? .null
        guard let id else {
            notification(method, params)
            return []
        }
        switch id {
        case .number, .string: break
        default: return [Self.error(.null, RPCError(code: RPCError.invalidRequest, message: "an `id` is a number or a string"))]
        }
        var out: [JSONValue] = []
        do throws(RPCError) {
            let result = try request(method, params, before: &out)
            out.append(["jsonrpc": "2.0", "id": id, "result": result])
        } catch {
            out.append(Self.error(id, error))
        }
        return out
    }

    /// The diagnostics that changed since they were last sent, made here
    /// and now (tests drive the server so).
    func idle() -> [JSONValue] {
        guard state == .running, workspace.stale else { return [] }
        return workspace.diagnosticNotifications()
    }

    /// The job that makes the diagnostics, for a thread of its own, when
    /// they are due (the text changed since they were last made) and this
    /// generation has no job yet; `published` takes its result back.
    func diagnosticsJob() -> Workspace.DiagnosticsJob? {
        guard state == .running, workspace.stale, jobGeneration != workspace.generation else { return nil }
        jobGeneration = workspace.generation
        return workspace.diagnosticsJob()
    }

    /// The notifications for a job's result; none when the text changed
    /// since the job was made (then the next job is due).
    func published(_ result: Workspace.DiagnosticsResult) -> [JSONValue] {
        guard state == .running else { return [] }
        return workspace.publish(result)
    }

    static func error(_ id: JSONValue, _ error: RPCError) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .int(error.code), "message": .string(error.message)]]
    }

    private func request(_ method: String, _ params: JSONValue, before out: inout [JSONValue]) throws(RPCError) -> JSONValue {
        switch state {
        case .starting where method != "initialize":
            throw RPCError(code: RPCError.serverNotInitialized, message: "the server is not initialized yet")
        case .shuttingDown:
            throw RPCError(code: RPCError.invalidRequest, message: "the server is shutting down")
        default: break
        }
        switch method {
        case "initialize":
            guard state == .starting else { throw RPCError(code: RPCError.invalidRequest, message: "already initialized") }
            state = .running
            return ["capabilities": Self.capabilities, "serverInfo": ["name": "amends", "version": .string(Amends.version)]]
        case "shutdown":
            state = .shuttingDown
            return .null
        case "textDocument/completion": return try completion(params)
        case "textDocument/hover": return try hover(params)
        case "textDocument/definition": return try definition(params)
        case "textDocument/references": return try references(params)
        case "textDocument/rename": return try rename(params)
        case "textDocument/prepareRename": return try prepareRename(params)
        case "textDocument/documentSymbol": return try documentSymbols(params)
        case "textDocument/formatting": return try formatting(params)
        case "textDocument/codeAction": return try codeActions(params)
        case "textDocument/foldingRange": return try foldingRanges(params)
        case "textDocument/semanticTokens/full": return try semanticTokens(params)
        default:
            throw RPCError(code: RPCError.methodNotFound, message: "`\(method)` is not supported")
        }
    }

    private func notification(_ method: String, _ params: JSONValue) {
        if method == "exit" {
            exitStatus = state == .shuttingDown ? 0 : 1
            return
        }
        guard state == .running else { return }
        // A notification has no answer, so bad parameters are ignored.
        do throws(RPCError) {
            switch method {
            case "textDocument/didOpen":
                guard let doc = params["textDocument"], let uri = doc["uri"]?.string, let text = doc["text"]?.string else {
                    throw RPCError.invalidParams("didOpen needs a `textDocument` with a `uri` and a `text`")
                }
                workspace.open(uri: uri, version: doc["version"]?.int ?? 0, text: Array(text.utf8))
            case "textDocument/didChange":
                let uri = try textDocument(params)
                try workspace.change(uri: uri, version: params["textDocument"]?["version"]?.int,
                                 changes: params["contentChanges"]?.array ?? [])
            case "textDocument/didClose":
                workspace.close(uri: try textDocument(params))
            default:
                break // initialized, didSave, $/cancelRequest, settings: nothing to do
            }
        } catch {
            return
        }
    }

    // MARK: - Parameters

    func textDocument(_ params: JSONValue) throws(RPCError) -> String {
        guard let uri = params["textDocument"]?["uri"]?.string else {
            throw RPCError.invalidParams("`textDocument.uri` is missing")
        }
        return uri
    }

    func textPosition(_ params: JSONValue) throws(RPCError) -> (String, LSPPosition) {
        (try textDocument(params), try LSPPosition(params["position"]))
    }
}
