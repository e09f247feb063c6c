"""Drives `sonic mcp` with the official Python MCP client over stdio.

Usage: mcp_client.py SONIC_BIN DATA_DIR

Lists the tools, creates a composition, calls an action tool, sends an atomic batch with an
invalid action (and expects a tool error, not a protocol error), sends a valid batch, reads
the state and the history, checks that the server holds the data-directory lock, and calls
an unknown tool (a protocol error). Prints one JSON object with what it saw; the Rust test
(tests/mcp.rs) checks it and the files on disk. Exits non-zero on any surprise.
"""

import asyncio
import json
import subprocess
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import McpError


def text_of(result):
    return "".join(block.text for block in result.content if block.type == "text")


async def run(sonic, data_dir):
    params = StdioServerParameters(command=sonic, args=["--data-dir", data_dir, "mcp"])
    seen = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            seen["server_name"] = init.serverInfo.name

            tools = (await session.list_tools()).tools
            seen["tools"] = sorted(tool.name for tool in tools)
            create_track = next(t for t in tools if t.name == "create_track")
            seen["create_track_required"] = create_track.inputSchema.get("required", [])

            created = await session.call_tool(
                "create_composition", {"name": "MCP song", "tempo": 100}
            )
            assert not created.isError, text_of(created)
            cid = created.structuredContent["composition_id"]
            seen["composition_id"] = cid

            track = await session.call_tool(
                "create_track",
                {"composition_id": cid, "id": "lead", "name": "Lead", "type": "midi"},
            )
            seen["track_error"] = bool(track.isError)
            seen["track_result"] = track.structuredContent

            clip = {
                "action": "create_midi_clip",
                "id": "riff",
                "track_id": "lead",
                "start_time": 0,
                "duration": 4,
                "notes": [{"n": 60, "s": 0, "d": 1}, {"n": 64, "s": 1, "d": 1}],
            }
            bad = await session.call_tool(
                "apply_actions",
                {
                    "composition_id": cid,
                    "atomic": True,
                    "actions": [clip, {"action": "set_tempo", "tempo": 999}],
                },
            )
            seen["bad_batch_error"] = bool(bad.isError)
            seen["bad_batch_text"] = text_of(bad)

            bad_args = await session.call_tool("set_tempo", {"composition_id": cid})
            seen["missing_field_error"] = bool(bad_args.isError)

            good = await session.call_tool(
                "apply_actions",
                {
                    "composition_id": cid,
                    "actions": [clip, {"action": "set_tempo", "tempo": 128}],
                    "message": "riff",
                },
            )
            assert not good.isError, text_of(good)
            seen["good_batch_version"] = good.structuredContent["version"]

            state = await session.call_tool("get_composition_state", {"composition_id": cid})
            assert not state.isError, text_of(state)
            seen["state"] = text_of(state)

            history = await session.call_tool("list_history", {"composition_id": cid})
            seen["history"] = history.structuredContent["history"]

            samples = await session.call_tool("list_samples", {})
            seen["samples_total"] = samples.structuredContent["total"]

            # The server owns the data directory while it runs: a writing CLI command refuses.
            other = subprocess.run(
                [sonic, "--data-dir", data_dir, "new", "Intruder"],
                capture_output=True,
                text=True,
            )
            seen["cli_while_serving"] = {"code": other.returncode, "stderr": other.stderr}

            try:
                await session.call_tool("no_such_tool", {})
                seen["unknown_tool"] = "accepted"
            except McpError as e:
                seen["unknown_tool"] = "protocol error: " + str(e)
    print(json.dumps(seen))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    asyncio.run(run(sys.argv[1], sys.argv[2]))
