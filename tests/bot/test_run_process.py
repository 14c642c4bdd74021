"""`critibot run` as a real process, pointed at the fake Discord by its settings."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from tests.doubles.fakediscord import FakeDiscord

CRITIBOT = Path(sys.executable).parent / "critibot"


async def test_critibot_run_serves_discord_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = {
            **os.environ,
            "DISCORD_TOKEN": "fake-token-not-to-be-logged",
            "CRITIBOT_DISCORD_API_BASE": fake.api_base,
            "CRITIBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
            "CRITIBOT_DATA_DIR": str(tmp_path),
            "CRITIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        }
        process = await asyncio.create_subprocess_exec(
            str(CRITIBOT), "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        try:
            synced = await fake.wait_for(
                lambda r: r.method == "PUT" and r.path.endswith("/commands"), timeout=60
            )
            assert "note" in {c["name"] for c in synced.json}
            await fake.wait_ready(timeout=30)  # commands sync in setup_hook, before the gateway connects
            iid = await fake.send_interaction(name="note", options={"film": "derriere le masque"})
            # The process's first chart imports matplotlib: the reply may be deferred, then followed up.
            reply = await fake.wait_for(
                lambda r: r.interaction_id == iid and bool(_message(r.json).get("embeds")), timeout=30
            )
            embed = _message(reply.json)["embeds"][0]
            assert embed["title"] == "Derrière le masque (2006)"
            assert "2,3/5" in embed["description"]
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        log = output.decode()
        assert process.returncode == 0, log
        assert "fake-token-not-to-be-logged" not in log
        assert "3 pages importées" in log


async def test_critibot_run_that_cannot_reach_discord_says_so_in_one_sentence(tmp_path: Path) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # a port that is ours and not listening: connections are refused
    port = closed.getsockname()[1]
    env = {
        **os.environ,
        "DISCORD_TOKEN": "fake-token-not-to-be-logged",
        "CRITIBOT_DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
        "CRITIBOT_DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/",
        "CRITIBOT_DATA_DIR": str(tmp_path),
        "CRITIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
    }
    try:
        process = await asyncio.create_subprocess_exec(
            str(CRITIBOT), "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        _, errors = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        closed.close()
    assert process.returncode == 2
    assert "Traceback" not in errors.decode()
    assert "Impossible de joindre Discord" in errors.decode()
    assert "fake-token-not-to-be-logged" not in errors.decode()


def _message(body: object) -> dict:
    """The message a callback (wrapped in `data`) or a follow-up (itself) carries."""
    if not isinstance(body, dict):
        return {}
    return body.get("data", body) if body.get("type") in (4, 5, 7) else body
