"""Real provider payloads, as Telegram and Twilio send them to a webhook (also used by the tests)."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from twilio.request_validator import RequestValidator

_update_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)
_message_ids = itertools.count(1)


def _user(chat_id: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    if language_code:
        user["language_code"] = language_code
    return user


def _message(chat_id: int, language_code: str | None, **fields: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
        "from": _user(chat_id, language_code),
        **fields,
    }


def telegram_text(chat_id: int, text: str, language_code: str | None = None) -> dict[str, Any]:
    entities = []
    if text.startswith("/"):
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}]
    message = _message(chat_id, language_code, text=text, **({"entities": entities} if entities else {}))
    return {"update_id": next(_update_ids), "message": message}


def telegram_edited(chat_id: int, text: str) -> dict[str, Any]:
    message = _message(chat_id, None, text=text, edit_date=int(time.time()))
    return {"update_id": next(_update_ids), "edited_message": message}


def telegram_callback(chat_id: int, data: str, language_code: str | None = None) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": uuid.uuid4().hex[:16],
            "from": _user(chat_id, language_code),
            "chat_instance": str(chat_id),
            "data": data,
            "message": _message(chat_id, None, text="…"),
        },
    }


def telegram_attachment(chat_id: int, kind: str, caption: str | None = None) -> dict[str, Any]:
    file = {"file_id": f"{kind}-{uuid.uuid4().hex[:12]}", "file_unique_id": uuid.uuid4().hex[:8]}
    kinds: dict[str, dict[str, Any]] = {
        "voice": {"voice": {**file, "duration": 4, "mime_type": "audio/ogg"}},
        "photo": {"photo": [{**file, "width": 320, "height": 240}]},
        "document": {"document": {**file, "file_name": "ind-letter.pdf", "mime_type": "application/pdf"}},
        "sticker": {
            "sticker": {
                **file,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },  # fmt: skip
        "location": {"location": {"latitude": 52.37, "longitude": 4.89}},
    }
    fields = kinds[kind]
    if caption:
        fields["caption"] = caption
    return {"update_id": next(_update_ids), "message": _message(chat_id, None, **fields)}


def twilio_message(
    sender: str, body: str, account_sid: str, to: str, media: list[tuple[str, str]] | None = None
) -> dict[str, str]:
    """The form Twilio posts for an incoming WhatsApp message; media is [(url, content type)]."""
    form = {
        "SmsMessageSid": "", "NumSegments": "1", "ProfileName": "Test", "WaId": sender.removeprefix("whatsapp:+"),
        "SmsStatus": "received", "Body": body, "To": to, "From": sender, "ApiVersion": "2010-04-01",
        "AccountSid": account_sid, "NumMedia": str(len(media or [])),
    }  # fmt: skip
    form["MessageSid"] = form["SmsMessageSid"] = "SM" + uuid.uuid4().hex
    for index, (url, content_type) in enumerate(media or []):
        form[f"MediaUrl{index}"] = url
        form[f"MediaContentType{index}"] = content_type
    return form


def twilio_signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    return str(RequestValidator(auth_token).compute_signature(url, form))
