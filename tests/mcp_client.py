"""Drives `sonic mcp` with the official Python MCP client over stdio.

Usage: mcp_client.py SONIC_BIN DATA_DIR SAMPLE_ID

Lists the tools, creates a composition, calls an action tool, sends an atomic batch with an
invalid action (and expects a tool error, not a protocol error), sends a valid batch, reads
the state and the history, lists and opens compositions, lists and analyses the library
sample SAMPLE_ID, times a run of small edits, restores the first AI version, checks that the
server holds the data-directory lock, and calls an unknown tool (a protocol error). Prints
one JSON object with what it saw; the Rust test (tests/mcp.rs) checks it and the files on
disk. Exits non-zero on any surprise.
"""

import asyncio
import json
import subprocess
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import McpError


def text_of(result):
    return "".join(block.text for block in result.content if block.type == "text")


async def run(sonic, data_dir, sample_id):
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

            listed = await session.call_tool("list_compositions", {})
            seen["listed"] = [c["id"] for c in listed.structuredContent["compositions"]]
            opened = await session.call_tool("open_composition", {"composition_id": cid})
            seen["open_has_autosave"] = opened.structuredContent["has_autosave"]
            missing = await session.call_tool("open_composition", {"composition_id": "nope"})
            seen["open_missing"] = {"error": bool(missing.isError), "text": text_of(missing)}

            samples = await session.call_tool("list_samples", {})
            seen["samples"] = [s["id"] for s in samples.structuredContent["samples"]]
            analysed = await session.call_tool("analyse_sample", {"sample_id": sample_id})
            assert not analysed.isError, text_of(analysed)
            seen["analysis"] = analysed.structuredContent["analysis"]
            again = await session.call_tool("analyse_sample", {"sample_id": sample_id})
            seen["analysis_cached"] = again.structuredContent["cached"]

            # Latency of a small edit (validated, saved as a version, answered).
            edits = 20
            start = time.perf_counter()
            for i in range(edits):
                done = await session.call_tool(
                    "set_track_parameter",
                    {"composition_id": cid, "track_id": "lead", "parameter": "pan",
                     # Never the current pan: an edit that changes nothing writes no version.
                     "value": (i % 10 + 1) / 10},
                )
                assert not done.isError, text_of(done)
            seen["edit_ms"] = (time.perf_counter() - start) * 1000 / edits

            restored = await session.call_tool(
                "restore_version", {"composition_id": cid, "version": 1}
            )
            assert not restored.isError, text_of(restored)
            seen["restored_version"] = restored.structuredContent["version"]
            after = await session.call_tool("get_composition_state", {"composition_id": cid})
            seen["state_after_restore"] = text_of(after)

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
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3]))
