#!/usr/bin/env python3
"""Drives a jaas MCP server with the MCP Python SDK's own client (PyPI `mcp`).

Reads a plan from stdin, a JSON list of tool calls:
    [{"tool": "render_jsonnet", "arguments": {"source": "1 + 1"}}, ...]
connects over stdio (`--stdio COMMAND ARG...`: the client starts the server) or
streamable HTTP (`--url http://127.0.0.1:8084/mcp`, with `--token T` sent as
`Authorization: Bearer T`), initializes, lists the tools,
makes the calls in order and prints one JSON object to stdout:
    {"server": {...}, "tools": [names], "results": [{"isError", "text", "structured"}]}
The Swift tests (JaaSMCPTests, JaaSOperatorTests) judge what it saw.
"""
import argparse
import asyncio
import contextlib
import inspect
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

try:
    from mcp.client.streamable_http import streamable_http_client as http_client
except ImportError:  # older SDKs
    from mcp.client.streamable_http import streamablehttp_client as http_client


async def run_plan(session, plan):
    initialized = await session.initialize()
    listed = await session.list_tools()
    results = []
    for call in plan:
        result = await session.call_tool(call["tool"], call.get("arguments", {}))
        results.append({
            "isError": bool(result.isError),
            "text": "".join(part.text for part in result.content if part.type == "text"),
            "structured": result.structuredContent,
        })
    return {
        "server": {"name": initialized.serverInfo.name, "version": initialized.serverInfo.version,
                   "protocolVersion": str(initialized.protocolVersion)},
        "tools": [tool.name for tool in listed.tools],
        "results": results,
    }


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--token", help="bearer token for --url")
    parser.add_argument("--stdio", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    plan = json.load(sys.stdin)
    if args.url:
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else None
        async with contextlib.AsyncExitStack() as stack:
            if "http_client" in inspect.signature(http_client).parameters:
                from mcp.shared._httpx_utils import create_mcp_http_client
                client = await stack.enter_async_context(create_mcp_http_client(headers=headers))
                transport = http_client(args.url, http_client=client)
            else:  # older SDKs take the headers themselves
                transport = http_client(args.url, headers=headers)
            read, write, _ = await stack.enter_async_context(transport)
            session = await stack.enter_async_context(ClientSession(read, write))
            report = await run_plan(session, plan)
    elif args.stdio:
        params = StdioServerParameters(command=args.stdio[0], args=args.stdio[1:])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                report = await run_plan(session, plan)
    else:
        parser.error("give --url or --stdio")
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    asyncio.run(main())
