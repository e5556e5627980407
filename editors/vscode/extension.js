// Starts `amends lsp` for .policy and .examples files. The server does the
// work; this file only connects it to VS Code.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("amends").get("path") || "amends";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "amends",
    "Amends",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "amends" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
