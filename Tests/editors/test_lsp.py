"""`amends lsp` driven by a real LSP client (pytest-lsp), and the TextMate
grammar run by a real TextMate engine (textmate-grammar-python) over every
shipped policy. Run by .ci/run; AMENDS is the `amends` program to test."""
import os
import pathlib
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
AMENDS = os.environ.get("AMENDS", str(ROOT / ".build/debug/amends"))

POLICY = """use "common.policy"

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
COMMON = "define urgent: severity >= medium\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[AMENDS, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


def apply(text: str, edits) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(p):  # the policies here are ASCII: UTF-16 units are characters
        return starts[p.line] + p.character

    for e in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


async def open_policy(client: LanguageClient, tmp: pathlib.Path):
    (tmp / "main.policy").write_text(POLICY)
    (tmp / "common.policy").write_text(COMMON)
    main, common = (tmp / "main.policy").as_uri(), (tmp / "common.policy").as_uri()
    for uri, text in ((common, COMMON), (main, POLICY)):
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="amends", version=1, text=text)))
    return main, common


async def diagnostics_for(client: LanguageClient, uri: str):
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


@pytest.mark.asyncio
async def test_typo_diagnostic_code_action_then_clean(client: LanguageClient, tmp_path):
    main, _ = await open_policy(client, tmp_path)
    diagnostics = await diagnostics_for(client, main)
    assert [d.code for d in diagnostics] == ["E104"]
    d = diagnostics[0]
    assert d.message == "unknown role `supervisr`\nhelp: did you mean `supervisor`?"
    assert (d.range.start.line, d.range.start.character) == (12, 9)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=main), range=d.range,
        context=types.CodeActionContext(diagnostics=[d])))
    fix = next(a for a in actions if a.is_preferred)
    assert fix.title == "replace `supervisr` with `supervisor`"
    edits = fix.edit.changes[main]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=main, version=2),
        content_changes=[types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[main]) == []


@pytest.mark.asyncio
async def test_completion_after_notify(client: LanguageClient, tmp_path):
    main, _ = await open_policy(client, tmp_path)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=main), position=types.Position(line=15, character=29)))
    assert [item.label for item in result.items] == ["supervisor", "owner"]


@pytest.mark.asyncio
async def test_hover_on_a_field(client: LanguageClient, tmp_path):
    main, _ = await open_policy(client, tmp_path)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=main), position=types.Position(line=11, character=7)))
    assert hover.contents.value.startswith("field `severity`: scale `severity`")


@pytest.mark.asyncio
async def test_rename_a_define_across_two_files(client: LanguageClient, tmp_path):
    main, common = await open_policy(client, tmp_path)
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=main), position=types.Position(line=11, character=28),
        new_name="pressing"))
    assert "when severity >= high and pressing:" in apply(POLICY, edit.changes[main])
    assert apply(COMMON, edit.changes[common]) == "define pressing: severity >= medium\n"


@pytest.mark.asyncio
async def test_format(client: LanguageClient, tmp_path):
    messy = "scale severity:   low<high\nrecord incident:\n    severity: severity\nroles: a\nwhen severity>=high: notify a\n"
    uri = (tmp_path / "messy.policy").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="amends", version=1, text=messy)))
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    formatted = apply(messy, edits)
    assert formatted.startswith("scale severity: low < high\nrecord incident:\n  severity: severity\n")
    assert "when severity >= high: notify a\n" in formatted
