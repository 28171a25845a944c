"""The inbox's only way into conversations: Rasa's HTTP API (server started with --enable-api).

- the history: GET /conversations/{id}/tracker
- a staff reply: a bot event appended with execute_side_effects and output_channel=latest, so Rasa
  logs it and sends it through the user's own channel (Telegram or WhatsApp);
- resolving: resume the paused conversation and say so to the user, in one request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.settings import Settings


class RasaUnavailable(RuntimeError):
    """Rasa did not answer; the inbox shows this instead of failing silently."""


@dataclass(frozen=True)
class HistoryItem:
    sender: str  # "user" or "bot"
    text: str
    at: dt.datetime
    metadata: dict[str, Any]

    @property
    def attachment(self) -> dict[str, Any] | None:
        found = self.metadata.get("attachment")
        return found if isinstance(found, dict) else None


class RasaApi:
    def __init__(self, settings: Settings, session: aiohttp.ClientSession) -> None:
        self.base = settings.rasa_url
        self.token = settings.api_token
        self.session = session

    def _url(self, conversation_id: str, path: str, **query: str) -> str:
        if self.token:
            query["token"] = self.token
        params = "&".join(f"{k}={quote(v)}" for k, v in query.items())
        return f"{self.base}/conversations/{quote(conversation_id, safe='')}/{path}" + (f"?{params}" if params else "")

    async def history(self, conversation_id: str) -> list[HistoryItem]:
        tracker = await self._request("GET", self._url(conversation_id, "tracker"))
        items = []
        for event in tracker.get("events") or []:
            if event.get("event") not in ("user", "bot"):
                continue
            metadata = dict(event.get("metadata") or {})
            text = str(event.get("text") or "")
            if event["event"] == "user" and text == "/nlu_fallback" and metadata.get("attachment"):
                text = ""  # an attachment alone: the payload is our own marker, not what the user wrote
            at = dt.datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=dt.timezone.utc)
            items.append(HistoryItem(event["event"], text, at, metadata))
        return items

    async def slot(self, conversation_id: str, name: str) -> Any:
        tracker = await self._request("GET", self._url(conversation_id, "tracker"))
        return (tracker.get("slots") or {}).get(name)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> None:
        event = {"event": "bot", "text": text, "metadata": metadata}
        url = self._url(conversation_id, "tracker/events", execute_side_effects="true", output_channel="latest")
        await self._request("POST", url, [event])

    async def resume(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> None:
        events = [
            {"event": "resume"},
            {"event": "slot", "name": "handoff_case", "value": None},
            {"event": "slot", "name": "handoff_offered", "value": None},
            {"event": "bot", "text": text, "metadata": metadata},
            # Back to listening: without it the rules see the user's next message as following
            # action_handoff (messages sent while paused get no action) and none of them applies.
            {"event": "action", "name": "action_listen"},
        ]
        url = self._url(conversation_id, "tracker/events", execute_side_effects="true", output_channel="latest")
        await self._request("POST", url, events)

    async def _request(self, method: str, url: str, body: Any = None) -> dict[str, Any]:
        try:
            async with self.session.request(method, url, json=body) as response:
                if response.status >= 400:
                    raise RasaUnavailable(f"Rasa answered {response.status}: {(await response.text())[:200]}")
                data = await response.json()
                return dict(data) if isinstance(data, dict) else {}
        except aiohttp.ClientError as error:
            raise RasaUnavailable(f"Rasa is not reachable at {self.base}: {error}") from error
