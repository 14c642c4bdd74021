"""A small fake Discord (REST + gateway websocket on 127.0.0.1) to run the real discord.py client in tests.

Usage::

    async with FakeDiscord() as fake, fake.patch_discord():
        task = asyncio.create_task(bot.start("fake-token"))
        await fake.wait_ready()                  # IDENTIFY answered with READY + GUILD_CREATE
        await bot.wait_until_ready()
        iid = await fake.send_interaction(name="ping")
        cb = await fake.wait_callback(iid)       # POST /interactions/{iid}/{token}/callback
        assert cb.json["type"] == 4
        ...
        await bot.close(); await task

API
- Fixed snowflakes: ``app_id``, ``bot_user_id``, ``guild_id`` (== the @everyone role id), ``bot_role_id``,
  ``channel_id`` (text channel "general"), ``other_channel_id`` ("other"), ``user_id`` (the default invoker).
  ``channels`` / ``roles`` / ``users`` are plain payload dicts you may edit before the bot connects
  (``add_channel`` adds a text channel); ``everyone_permissions`` / ``bot_permissions`` are bitfields.
- ``start()`` / ``close()`` or ``async with``; ``api_base`` (``http://127.0.0.1:PORT/api/v10``),
  ``gateway_url`` (``ws://127.0.0.1:PORT/gw``); ``patch_discord()`` sets ``discord.http.Route.BASE`` and
  ``DiscordWebSocket.DEFAULT_GATEWAY`` and restores them on exit.
- ``requests``: every REST call as a ``RecordedRequest`` (method, path relative to ``api_base``, query,
  parsed JSON body — ``payload_json`` for multipart —, uploaded files, headers, ``interaction_id`` when the
  call is an interaction callback or uses an interaction token). ``unknown``: calls that got a 404 because
  no route matched. ``gateway_received``: gateway payloads other than heartbeats.
- ``wait_ready()``; ``await dispatch(event, data)`` sends any gateway event (returns its seq).
- ``send_interaction(name=..., options={"q": "x"} | [raw option dicts], type=2, user_id=, permissions=,
  channel_id=, locale="fr", roles=())`` -> interaction id (str, token is ``token_of(iid)``);
  ``send_autocomplete(name, options, focused=None)`` -> the choices of the type-8 callback;
  ``click(message_id | message dict, custom_id=None (first button), user_id=, values=None)`` -> its id.
- ``wait_for(predicate, timeout=5)`` -> first matching ``RecordedRequest`` (already received or upcoming);
  ``wait_callback(iid)``; ``callbacks_for(iid)``; ``interaction_requests(iid)`` (callbacks + webhook calls).
- ``messages``: id -> current message payload (channel posts, interaction responses, followups, edits;
  an uploaded file's attachment keeps the ``description`` its payload gave it);
  ``channel_messages(channel_id=None)``; ``commands``: guild id (None = global) -> synced commands.
- ``forbidden_channels``: writes under ``/channels/{id}`` answer 403 Missing Permissions (50013).
- ``add_route(method_regex, path_regex, handler)``: extra/overriding route; ``handler(request, match)``
  returns ``(status, json_body)`` (``None`` body -> empty 204-style reply).
- Channel posts as Discord makes them: a ``nonce`` sent with ``enforce_nonce`` within ``nonce_window``
  seconds of a message with the same nonce in the same channel gets that message back, none created
  (``nonce_of`` keeps each message's nonce; history, like Discord's, does not show it).
  ``GET /channels/{id}/messages`` (``limit``, ``before``, ``after``) serves the history, newest first.
- ``post_faults``: what the next channel posts meet, in order (``PostFault``): an error status after
  the message was created (or not), a connection dropped without a reply, or a post held until
  ``release_held()`` (``await wait_held()``: one is being held) while a test kills the bot.
- Several servers and shards: ``add_guild(guild_id, channels)``; an IDENTIFY with ``shard: [id, count]``
  gets READY and GUILD_CREATE for the servers of that shard only (``(guild_id >> 22) % count``), and
  events about a server go to its shard's connection. ``identified``: the (shard, count) pairs
  identified; ``GET /gateway/bot`` answers one shard.

Interaction callbacks answer like Discord with ``?with_response=1`` (``interaction`` + ``resource.message``):
discord.py keys views by ``response_message_id``. A second callback on one interaction gets 400 (40060).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

import discord
import yarl
from aiohttp import WSMsgType, web

Reply = tuple[int, Any]
Handler = Callable[["RecordedRequest", re.Match[str]], Reply]
DROP = "drop"  # a post handler's reply: close the connection without answering


@dataclass(frozen=True)
class PostFault:
    """What one channel post meets. `kind`: "status" (answer `status` after the message was created, or
    not when `created` is False), "drop" (close the connection without a reply) or "hold" (wait for
    `release_held()`, then answer as usual; when it was not created first, it is created only if the
    client is still connected)."""

    kind: str
    created: bool = True
    status: int = 503


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: a server's events go to shard (guild_id >> 22) % shard_count."""
    return (guild_id >> 22) % shard_count


@dataclass
class RecordedRequest:
    method: str
    path: str
    json: Any = None
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, content)
    interaction_id: str | None = None


def _reply(status: int, body: Any) -> web.Response:
    """JSON reply with exactly ``Content-Type: application/json`` (discord.py rejects a charset suffix)."""
    if body is None:
        return web.Response(status=204)
    return web.Response(
        status=status, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 10 if isinstance(value, float) else 3


class FakeDiscord:
    app_id = 1_200_000_000_000_000_001
    bot_user_id = 1_200_000_000_000_000_002
    guild_id = 1_200_000_000_000_000_010
    bot_role_id = 1_200_000_000_000_000_011
    channel_id = 1_200_000_000_000_000_020
    other_channel_id = 1_200_000_000_000_000_021
    user_id = 1_200_000_000_000_000_030

    def __init__(self) -> None:
        self._ids = itertools.count(discord.utils.time_snowflake(datetime.now(UTC)))
        self.everyone_permissions = discord.Permissions(
            view_channel=True,
            send_messages=True,
            read_message_history=True,
            add_reactions=True,
            use_application_commands=True,
            send_messages_in_threads=True,
        ).value
        self.bot_permissions = (
            self.everyone_permissions | discord.Permissions(embed_links=True, attach_files=True).value
        )
        self.users: dict[int, dict[str, Any]] = {
            self.bot_user_id: self._user(self.bot_user_id, "critibot", bot=True),
            self.user_id: self._user(self.user_id, "tester"),
        }
        self.roles: list[dict[str, Any]] = [  # @everyone, then the bot's managed role
            {"id": str(self.guild_id), "name": "@everyone", "permissions": str(self.everyone_permissions)},
            {"id": str(self.bot_role_id), "name": "critibot", "permissions": str(self.bot_permissions)},
        ]
        self.channels: dict[int, dict[str, Any]] = {}
        self.guild_names: dict[int, str] = {self.guild_id: "Fake guild"}
        self.add_channel("general", self.channel_id)
        self.add_channel("other", self.other_channel_id)
        self.nonce_window = 300.0  # seconds: Discord's "past few minutes"
        self.nonce_of: dict[int, str] = {}  # message id -> the nonce it was sent with
        self._nonces: dict[tuple[str, str], tuple[int, float]] = {}  # (channel, nonce) -> (message, when)
        self.post_faults: list[PostFault] = []
        self._held = asyncio.Event()
        self._release = asyncio.Event()
        self.identified: list[tuple[int, int]] = []
        self._shard_ws: dict[int, web.WebSocketResponse] = {}
        self._shard_count = 1
        self.requests: list[RecordedRequest] = []
        self.unknown: list[RecordedRequest] = []
        self.gateway_received: list[dict[str, Any]] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, dict[str, Any]] = {}
        self.forbidden_channels: set[int] = set()
        self._original: dict[str, int] = {}  # token -> message id of the original response
        self._acked: set[str] = set()
        self._ws: web.WebSocketResponse | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._seq = 0
        self._ready = asyncio.Event()
        self._new_request = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", lambda r, m: (200, self.users[self.bot_user_id])),
            ("GET", r"/oauth2/applications/@me", lambda r, m: (200, self._application())),
            ("PUT", r"/applications/\d+(?:/guilds/(?P<guild>\d+))?/commands", self._put_commands),
            ("GET", r"/applications/\d+(?:/guilds/(?P<guild>\d+))?/commands", self._get_commands),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", r"/webhooks/\d+/(?P<token>[^/]+)", self._followup),
            (
                "GET|PATCH|DELETE",
                r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._webhook_message,
            ),
            ("GET", r"/gateway(?:/bot)?", lambda r, m: (200, self._gateway_info())),
            ("GET", r"/channels/(?P<cid>\d+)", self._get_channel),
            ("GET", r"/channels/(?P<cid>\d+)/messages", self._history),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._post_message),
            ("GET|PATCH|DELETE", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._channel_message),
        ]

    # ---- set-up -------------------------------------------------------------------------------------
    def add_channel(
        self,
        name: str,
        channel_id: int | None = None,
        *,
        overwrites: Sequence[Mapping[str, Any]] = (),
        guild_id: int | None = None,
    ) -> int:
        cid = channel_id or next(self._ids)
        self.channels[cid] = {
            "id": str(cid),
            "type": 0,
            "guild_id": str(guild_id or self.guild_id),
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": list(overwrites),
        }
        return cid

    def add_guild(self, guild_id: int, channels: Mapping[str, int | None] = {}, name: str = "") -> list[int]:
        """Another server the bot is in, with text channels (name -> id, None: a fresh id): their ids."""
        self.guild_names[guild_id] = name or f"Fake guild {guild_id}"
        return [self.add_channel(n, c, guild_id=guild_id) for n, c in channels.items()]

    def guild_of(self, channel_id: int) -> int:
        return int(self.channels[channel_id]["guild_id"])

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self._routes.insert(0, (method, path, handler))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gw", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1000)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gw"

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        route, gateway = discord.http.Route, discord.gateway.DiscordWebSocket
        saved = route.BASE, gateway.DEFAULT_GATEWAY
        route.BASE, gateway.DEFAULT_GATEWAY = self.api_base, yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            route.BASE, gateway.DEFAULT_GATEWAY = saved

    # ---- payloads -----------------------------------------------------------------------------------
    @staticmethod
    def _user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
        return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None, "bot": bot}

    def user(self, user_id: int) -> dict[str, Any]:
        return self.users.get(user_id) or self._user(user_id, f"user{user_id % 10_000}")

    def _member(
        self, user_id: int, roles: Sequence[int] = (), permissions: int | None = None
    ) -> dict[str, Any]:
        member = {
            "user": self.user(user_id),
            "roles": [str(r) for r in roles],
            "joined_at": _now(),
            "flags": 0,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.app_id),
            "name": "critibot",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": self.user(self.user_id),
            "verify_key": "0" * 64,
        }

    def _guild(self, guild_id: int | None = None) -> dict[str, Any]:
        gid = guild_id or self.guild_id
        members = [self._member(self.bot_user_id, [self.bot_role_id]), self._member(self.user_id)]
        roles = self.roles if gid == self.guild_id else [{**self.roles[0], "id": str(gid)}, self.roles[1]]
        return {
            "id": str(gid),
            "name": self.guild_names[gid],
            "owner_id": str(self.user_id),
            "unavailable": False,
            "roles": roles,
            "channels": [c for c in self.channels.values() if c["guild_id"] == str(gid)],
            "members": members,
            "member_count": len(members),
            "preferred_locale": "fr",
        }

    def _new_message(
        self,
        channel_id: int | str,
        body: Mapping[str, Any],
        files: Sequence[tuple[str, bytes]],
        *,
        webhook: bool = False,
    ) -> dict[str, Any]:
        mid = next(self._ids)
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": 0,
            "channel_id": str(channel_id),
            "guild_id": self.channels.get(int(channel_id), {}).get("guild_id", str(self.guild_id)),
            "author": self.users[self.bot_user_id],
            "content": "",
            "embeds": [],
            "components": [],
            "attachments": [],
            "timestamp": _now(),
            "edited_timestamp": None,
            "flags": 0,
        }
        if webhook:
            msg["webhook_id"] = msg["application_id"] = str(self.app_id)
        self.messages[mid] = msg
        return self._update_message(msg, body, files, edited=False)

    def _update_message(
        self,
        msg: dict[str, Any],
        body: Mapping[str, Any],
        files: Sequence[tuple[str, bytes]],
        *,
        edited: bool = True,
    ) -> dict[str, Any]:
        for key, empty in (("content", ""), ("embeds", []), ("components", []), ("flags", 0)):
            if key in body:
                msg[key] = body[key] or empty
        if "attachments" in body or files:
            keep = {str(a.get("id")) for a in body.get("attachments") or []}
            # An upload's metadata (alt text) is the payload's attachment whose id is the file's index.
            uploaded = {str(a.get("id")): a for a in body.get("attachments") or []}
            msg["attachments"] = [a for a in msg["attachments"] if a["id"] in keep] + [
                {
                    "id": str(next(self._ids)),
                    "filename": name,
                    "size": len(data),
                    "url": f"https://cdn.fake/{name}",
                    "proxy_url": f"https://cdn.fake/{name}",
                    **(
                        {"description": uploaded[str(index)]["description"]}
                        if "description" in uploaded.get(str(index), {})
                        else {}
                    ),
                }
                for index, (name, data) in enumerate(files)
            ]
        if edited:
            msg["edited_timestamp"] = _now()
        return msg

    # ---- REST ---------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: list[tuple[str, bytes]] = []
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            for value in form.values():
                if isinstance(value, web.FileField):
                    files.append((value.filename, value.file.read()))
            if "payload_json" in form:
                raw = form["payload_json"]
                body = json.loads(raw if isinstance(raw, str | bytes | bytearray) else raw.file.read())
        elif request.can_read_body:
            text = await request.text()
            body = json.loads(text) if text else None
        recorded = RecordedRequest(
            request.method, path, body, dict(request.query), dict(request.headers), files
        )
        token = re.match(r"/(?:interactions/(\d+)/([^/]+)|webhooks/\d+/([^/]+))", path)
        if token:
            recorded.interaction_id = token[1] or self._interaction_of(token[3])
        self.requests.append(recorded)
        self._new_request.set()
        self._new_request = asyncio.Event()

        forbidden = re.match(r"/channels/(\d+)", path)
        if forbidden and request.method != "GET" and int(forbidden[1]) in self.forbidden_channels:
            return _reply(403, {"message": "Missing Permissions", "code": 50013})
        if request.method == "POST" and re.fullmatch(r"/channels/\d+/messages", path) and self.post_faults:
            return await self._faulty_post(request, recorded, self.post_faults.pop(0))
        for method, pattern, handler in self._routes:
            match = re.fullmatch(pattern, path)
            if match and re.fullmatch(method, request.method):
                return _reply(*handler(recorded, match))
        self.unknown.append(recorded)
        return _reply(404, {"message": "Unknown", "code": 0})

    def _interaction_of(self, token: str) -> str | None:
        return next((iid for iid, payload in self.interactions.items() if payload["token"] == token), None)

    def _put_commands(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        guild = int(m["guild"]) if m["guild"] else None
        synced = [
            {
                "description": "",
                "type": 1,
                **cmd,
                "id": str(next(self._ids)),
                "application_id": str(self.app_id),
                "version": "1",
                **({"guild_id": str(guild)} if guild else {}),
            }
            for cmd in req.json or []
        ]
        self.commands[guild] = synced
        return 200, synced

    def _get_commands(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        return 200, self.commands.get(int(m["guild"]) if m["guild"] else None, [])

    def _callback(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        interaction = self.interactions.get(m["iid"])
        if interaction is None or interaction["token"] != m["token"]:
            return 404, {"message": "Unknown interaction", "code": 10062}
        if m["iid"] in self._acked:
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        self._acked.add(m["iid"])
        kind, data = req.json["type"], req.json.get("data") or {}
        info: dict[str, Any] = {
            "id": m["iid"],
            "type": interaction["type"],
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(data.get("flags", 0) & 64),
        }
        message = None
        if kind in (4, 5):
            message = self._new_message(interaction["channel_id"], data, req.files, webhook=True)
            if kind == 5:
                message["flags"] |= 128  # LOADING
        elif kind in (6, 7) and "message" in interaction:
            message = self.messages[int(interaction["message"]["id"])]
            if kind == 7:
                self._update_message(message, data, req.files)
        if message is None:
            return 200, {"interaction": info}
        self._original[m["token"]] = int(message["id"])
        info["response_message_id"] = message["id"]
        return 200, {"interaction": info, "resource": {"type": kind, "message": message}}

    def _followup(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        interaction = self.interactions.get(req.interaction_id or "")
        if interaction is None:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        return 200, self._new_message(interaction["channel_id"], req.json or {}, req.files, webhook=True)

    def _webhook_message(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        mid = self._original.get(m["token"]) if m["mid"] == "@original" else int(m["mid"])
        return self._message_op(req, mid)

    def _get_channel(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        channel = self.channels.get(int(m["cid"]))
        return (200, channel) if channel else (404, {"message": "Unknown Channel", "code": 10003})

    def _post_message(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        if int(m["cid"]) not in self.channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        body = req.json or {}
        nonce = body.get("nonce")
        key = (m["cid"], str(nonce))
        now = asyncio.get_running_loop().time()
        if nonce is not None and body.get("enforce_nonce"):
            first = self._nonces.get(key)
            if first is not None and now - first[1] <= self.nonce_window and first[0] in self.messages:
                return 200, {**self.messages[first[0]], "nonce": str(nonce)}
        message = self._new_message(m["cid"], body, req.files)
        if nonce is not None:
            self.nonce_of[int(message["id"])] = str(nonce)
            self._nonces.setdefault(key, (int(message["id"]), now))
            return 200, {**message, "nonce": str(nonce)}
        return 200, message

    async def _faulty_post(
        self, request: web.Request, req: RecordedRequest, fault: PostFault
    ) -> web.Response:
        match = re.fullmatch(r"/channels/(?P<cid>\d+)/messages", req.path)
        assert match is not None
        status, body = self._post_message(req, match) if fault.created else (200, None)
        if fault.kind == "hold":
            self._held.set()
            await self._release.wait()
            self._release.clear()
            self._held.clear()
            if fault.created:
                return _reply(status, body)
            if request.transport is None or request.transport.is_closing():
                return _reply(499, None)  # the client is gone: nothing is created
            return _reply(*self._post_message(req, match))
        if fault.kind == "drop":
            assert request.transport is not None
            request.transport.close()  # the client sees the connection lost, no status
            raise ConnectionResetError("fake Discord dropped the connection")
        return _reply(fault.status, {"message": f"{fault.status}: Service Unavailable", "code": 0})

    async def wait_held(self, timeout: float = 30.0) -> None:
        """Wait until a post is being held (a PostFault "hold")."""
        await asyncio.wait_for(self._held.wait(), timeout)

    def release_held(self) -> None:
        self._release.set()

    def _history(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        if int(m["cid"]) not in self.channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        found = sorted(
            (msg for msg in self.messages.values() if msg["channel_id"] == m["cid"]),
            key=lambda msg: int(msg["id"]),
            reverse=True,
        )
        if "before" in req.query:
            found = [msg for msg in found if int(msg["id"]) < int(req.query["before"])]
        if "after" in req.query:
            found = [msg for msg in found if int(msg["id"]) > int(req.query["after"])]
        limit = min(100, int(req.query.get("limit", 50)))
        return 200, found[:limit]

    def _gateway_info(self) -> dict[str, Any]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def _channel_message(self, req: RecordedRequest, m: re.Match[str]) -> Reply:
        return self._message_op(req, int(m["mid"]))

    def _message_op(self, req: RecordedRequest, mid: int | None) -> Reply:
        message = self.messages.get(mid) if mid is not None else None
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        if req.method == "DELETE":
            del self.messages[int(message["id"])]
            return 204, None
        if req.method == "PATCH":
            self._update_message(message, req.json or {}, req.files)
            message["flags"] &= ~128
        return 200, message

    # ---- gateway ------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41_250}, "s": None, "t": None})
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(frame.data)
                if payload["op"] == 1:
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                    continue
                self.gateway_received.append(payload)
                if payload["op"] == 2:  # IDENTIFY
                    shard, count = payload["d"].get("shard") or (0, 1)
                    self._ws = self._shard_ws[shard] = ws
                    self._shard_count = count
                    self.identified.append((shard, count))
                    guilds = [g for g in self.guild_names if shard_of(g, count) == shard]
                    await self._send(
                        ws,
                        "READY",
                        {
                            "v": 10,
                            "user": self.users[self.bot_user_id],
                            "session_id": f"fake-session-{shard}",
                            "resume_gateway_url": self.gateway_url,
                            "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
                            "application": {"id": str(self.app_id), "flags": 0},
                            "shard": [shard, count],
                        },
                    )
                    for guild in guilds:
                        await self._send(ws, "GUILD_CREATE", self._guild(guild))
                    self._ready.set()
                elif payload["op"] == 6:  # RESUME
                    self._ws = ws
                    await self.dispatch("RESUMED", {})
        finally:
            self._sockets.discard(ws)
            if self._ws is ws:
                self._ws = None
            for shard in [s for s, w in self._shard_ws.items() if w is ws]:
                del self._shard_ws[shard]
        return ws

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Wait until a client has identified (READY and GUILD_CREATE sent)."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def dispatch(self, event: str, data: Any, *, guild_id: int | None = None) -> int:
        """Send an event; about `guild_id`, on its shard's connection (else the latest identified)."""
        ws = self._ws
        if guild_id is not None:
            ws = self._shard_ws.get(shard_of(guild_id, self._shard_count), ws)
        if ws is None:
            raise RuntimeError("no client is connected to the fake gateway")
        return await self._send(ws, event, data)

    async def _send(self, ws: web.WebSocketResponse, event: str, data: Any) -> int:
        self._seq += 1
        await ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})
        return self._seq

    # ---- interactions -------------------------------------------------------------------------------
    def token_of(self, interaction_id: str) -> str:
        return self.interactions[interaction_id]["token"]

    async def _interact(
        self,
        type: int,
        data: dict[str, Any],
        *,
        user_id: int | None,
        permissions: int | None,
        channel_id: int | None,
        locale: str,
        roles: Sequence[int] = (),
        message: Mapping[str, Any] | None = None,
    ) -> str:
        iid = str(next(self._ids))
        channel = self.channels[channel_id or self.channel_id]
        guild_id = int(channel["guild_id"])
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": str(self.app_id),
            "type": type,
            "token": f"token-{iid}",
            "version": 1,
            "attachment_size_limit": 25 * 1024 * 1024,
            "guild_id": str(guild_id),
            "channel": channel,
            "channel_id": channel["id"],
            "locale": locale,
            "guild_locale": "fr",
            "context": 0,
            "app_permissions": str(self.bot_permissions),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "data": data,
            "member": self._member(
                user_id or self.user_id,
                roles,
                self.everyone_permissions if permissions is None else permissions,
            ),
        }
        if message is not None:
            payload["message"] = dict(message)
        self.interactions[iid] = payload
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return iid

    async def send_interaction(
        self,
        *,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] = (),
        type: int = 2,
        user_id: int | None = None,
        permissions: int | None = None,
        channel_id: int | None = None,
        locale: str = "fr",
        roles: Sequence[int] = (),
        focused: str | None = None,
        resolved: Mapping[str, Any] | None = None,
    ) -> str:
        """Send an application command (type 2) or autocomplete (type 4) interaction; returns its id.

        ``resolved`` is Discord's map of the users/channels/roles that options refer to.
        """
        if isinstance(options, Mapping):
            options = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
        options = [{**o, "focused": True} if o["name"] == focused else dict(o) for o in options]
        data: dict[str, Any] = {"id": str(self.app_id), "name": name, "type": 1, "options": options}
        if resolved is not None:
            data["resolved"] = dict(resolved)
        for guild in (self.guild_id, None):
            command = next((c for c in self.commands.get(guild, []) if c["name"] == name), None)
            if command:
                data.update(id=command["id"], **({"guild_id": str(guild)} if guild else {}))
                break
        return await self._interact(
            type,
            data,
            user_id=user_id,
            permissions=permissions,
            channel_id=channel_id,
            locale=locale,
            roles=roles,
        )

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        focused: str | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """Autocomplete on ``focused`` (default: the last option); returns the choices of the type-8 reply."""
        names = list(options) if isinstance(options, Mapping) else [o["name"] for o in options]
        iid = await self.send_interaction(
            name=name, options=options, type=4, focused=focused or names[-1], **kwargs
        )
        callback = await self.wait_callback(iid)
        assert callback.json["type"] == 8, callback.json
        return callback.json["data"]["choices"]

    async def click(
        self,
        message: int | str | Mapping[str, Any],
        custom_id: str | None = None,
        *,
        user_id: int | None = None,
        values: Sequence[str] | None = None,
        component_type: int = 2,
        permissions: int | None = None,
        locale: str = "fr",
    ) -> str:
        """Click a button (or pick ``values`` in a select) of a recorded message; returns the new id."""
        msg = self.messages[int(message)] if isinstance(message, int | str) else message
        if custom_id is None:
            components = (c for row in msg["components"] for c in row.get("components", []))
            custom_id = next(c["custom_id"] for c in components if c.get("type") == component_type)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        return await self._interact(
            3,
            data,
            user_id=user_id,
            permissions=permissions,
            channel_id=int(msg["channel_id"]),
            locale=locale,
            message=msg,
        )

    # ---- inspection ---------------------------------------------------------------------------------
    async def wait_for(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0
    ) -> RecordedRequest:
        """The first recorded request matching ``predicate``, waiting for it if needed."""
        async with asyncio.timeout(timeout):
            while True:
                found = next((r for r in self.requests if predicate(r)), None)
                if found is not None:
                    return found
                await self._new_request.wait()

    async def wait_callback(self, interaction_id: str, timeout: float = 5.0) -> RecordedRequest:
        return await self.wait_for(
            lambda r: r.interaction_id == interaction_id and r.path.endswith("/callback"), timeout
        )

    def callbacks_for(self, interaction_id: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(f"/interactions/{interaction_id}/")]

    def interaction_requests(self, interaction_id: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.interaction_id == interaction_id]

    def channel_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        cid = str(channel_id or self.channel_id)
        return [m for m in self.messages.values() if m["channel_id"] == cid]
