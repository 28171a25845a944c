"""Booking the digital consultation hour: the form's questions, their checks, and what happens at the end.

Thin adapters: the rules live in bot/booking.py (slots, seats, limits) and bot/booking_dialogue.py
(what is said, how a typed answer is understood). The form (domain/booking.yml) asks, in order:
eligibility → topic → language → location → kind → time. Any question can be left: "stop" (deny),
"menu", "goodbye", asking for a person or asking a question ends the form without booking; the
question then gets its answer.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Dependencies, default_dependencies, utter
from actions.reply import default_responder, turn_from
from bot import booking
from bot import booking_dialogue as talk
from bot.booking import BookingError, Location
from bot.content import Button
from bot.dates import format_moment
from bot.dialogue import OutMessage
from bot.language import FALLBACK_LANGUAGE, LANGUAGES, language_named_in

FORM_SLOTS = (
    "booking_eligibility", "booking_topic", "booking_language", "booking_location", "booking_kind", "booking_slot",
)  # fmt: skip
# A message with one of these intents ends the form: the user wants to stop, or wants something else.
STOP_INTENTS = {"deny", "goodbye"}
LEAVE_INTENTS = {"menu_help", "human_handoff", "my_appointments", "cancel_appointment", "reschedule_appointment",
                 "choose_language", "service_emergency", "out_of_scope", "bot_challenge", "thanks"}  # fmt: skip
QUESTION_CONFIDENCE = 0.6  # a question typed in the middle of the form is answered when this sure


def _language(tracker: Tracker) -> str:
    return tracker.get_slot("language") or FALLBACK_LANGUAGE


def _max_future(deps: Dependencies) -> int:
    return deps.settings.max_appointments


def _location(deps: Dependencies, tracker: Tracker) -> Location | None:
    code = tracker.get_slot("booking_location")
    with deps.engine.begin() as connection:
        return next((p for p in booking.list_locations(connection) if p.code == code), None)


def _place_name(deps: Dependencies, location: Location | None) -> str:
    with deps.engine.begin() as connection:
        return booking.meeting_place_name(connection, location.id if location else None)


class _BookingAction:
    def __init__(self, dependencies: Dependencies | None = None) -> None:
        self._given = dependencies

    @property
    def deps(self) -> Dependencies:
        return self._given or default_dependencies()


# --- the questions ------------------------------------------------------------------------------------


class AskEligibility(_BookingAction, Action):
    def name(self) -> str:
        return "action_ask_booking_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        utter(dispatcher, talk.message(self.deps.store, "booking.ask_eligibility", _language(tracker)))
        return []


class AskTopic(_BookingAction, Action):
    def name(self) -> str:
        return "action_ask_booking_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        utter(dispatcher, talk.message(self.deps.store, "booking.ask_topic", _language(tracker)))
        return []


class AskLanguage(_BookingAction, Action):
    def name(self) -> str:
        return "action_ask_booking_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = _language(tracker)
        base = talk.message(self.deps.store, "booking.ask_language", language)
        buttons = [*talk.language_buttons(language), *talk.stop_button(self.deps.store, language)]
        utter(dispatcher, talk.with_buttons(base, buttons))
        return []


class AskLocation(_BookingAction, Action):
    def name(self) -> str:
        return "action_ask_booking_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = _language(tracker)
        with self.deps.engine.begin() as connection:
            places = booking.list_locations(connection)
        base = talk.message(self.deps.store, "booking.ask_location", language)
        buttons = [*talk.location_buttons(places), *talk.stop_button(self.deps.store, language)]
        utter(dispatcher, talk.with_buttons(base, buttons))
        return []


class AskKind(_BookingAction, Action):
    def name(self) -> str:
        return "action_ask_booking_kind"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        utter(dispatcher, self.question(tracker))
        return []

    def question(self, tracker: Tracker) -> OutMessage:
        language = _language(tracker)
        with self.deps.engine.begin() as connection:
            kinds = booking.kinds_for(connection, _location(self.deps, tracker))
        base = talk.message(self.deps.store, "booking.ask_kind", language)
        buttons = [b for b in base.buttons if talk.payload_value(b.payload) in kinds or b.payload == "/deny"]
        return talk.with_buttons(base, buttons)


class AskSlot(_BookingAction, Action):
    def name(self) -> str:
        return "action_ask_booking_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        utter(dispatcher, self.question(tracker))
        return []

    def question(self, tracker: Tracker) -> OutMessage:
        language = _language(tracker)
        free = self.free(tracker)
        base = talk.message(self.deps.store, "booking.ask_slot", language)
        buttons = [*talk.slot_buttons(free, language), *talk.stop_button(self.deps.store, language)]
        return talk.with_buttons(base, buttons)

    def free(self, tracker: Tracker, kind: str | None = None) -> list[booking.Slot]:
        """The next free times for the answers given so far (`kind` when it is being answered now)."""
        with self.deps.engine.begin() as connection:
            return booking.free_slots(
                connection, self.deps.clock.now(), kind or tracker.get_slot("booking_kind") or "video",
                tracker.get_slot("booking_language") or _language(tracker), _location(self.deps, tracker),
            )  # fmt: skip


# --- checking the answers ------------------------------------------------------------------------


class ValidateBookingForm(_BookingAction, FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    def _leave(self, tracker: Tracker, slot: str) -> Dict[str, Any] | None:
        """End the form when the message is another request rather than an answer."""
        if tracker.latest_message.get("entities") and any(
            e.get("entity") == "booking_choice" for e in tracker.latest_message["entities"]
        ):
            return None  # a button of this question
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0)
        if name in STOP_INTENTS:
            return {slot: None, "requested_slot": None, "booking_outcome": "stopped"}
        if name in LEAVE_INTENTS or (
            name and name.split("_")[0] in ("procedure", "nareis", "service") and confidence >= QUESTION_CONFIDENCE
        ):
            return {slot: None, "requested_slot": None, "booking_outcome": "interrupted"}
        return None

    def _typed(
        self,
        value: Any,
        tracker: Tracker,
        buttons: tuple[Button, ...] | list[Button],
        slot: str,
        allowed: list[str],
        by_name: Callable[[str], str | None] | None = None,
    ) -> Dict[str, Any]:
        """A tapped or typed answer: the option it names, else the end of the form if it is another
        request, else None (the question is asked again)."""
        typed = str(value) if value is not None else ""
        choice = typed if typed in allowed else talk.match_typed(typed, buttons) or (by_name and by_name(typed))
        if choice in allowed:
            return {slot: choice}
        return self._leave(tracker, slot) or {slot: None}

    async def extract_booking_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A user who started from a centre's QR code (Telegram /start <location>) is not asked where they live."""
        if tracker.get_slot("booking_location"):
            return {}
        started_at = next(
            (
                str((event.get("metadata") or {}).get("start_parameter"))
                for event in reversed(tracker.events)
                if event.get("event") == "user" and (event.get("metadata") or {}).get("start_parameter")
            ),
            None,
        )
        if not started_at:
            return {}
        with self.deps.engine.begin() as connection:
            codes = {p.code for p in booking.list_locations(connection)}
            place = started_at if started_at in codes else None
            if place is None:
                found = booking.match_location(connection, started_at.replace("-", " ").replace("_", " "))
                place = found.code if found else None
        return {"booking_location": place} if place else {}

    async def validate_booking_eligibility(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        language = _language(tracker)
        buttons = talk.message(self.deps.store, "booking.ask_eligibility", language).buttons
        result = self._typed(slot_value, tracker, buttons, "booking_eligibility", list(booking.ELIGIBILITY))
        choice = result.get("booking_eligibility")
        if choice and not talk.is_eligible(choice):
            return {**result, "requested_slot": None, "booking_outcome": f"ineligible:{choice}"}
        if choice:
            with self.deps.engine.begin() as connection:
                planned = booking.upcoming(connection, tracker.sender_id, self.deps.clock.now())
            if len(planned) >= _max_future(self.deps):
                return {**result, "requested_slot": None, "booking_outcome": "too_many"}
        return result

    async def validate_booking_topic(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        buttons = talk.message(self.deps.store, "booking.ask_topic", _language(tracker)).buttons
        return self._typed(slot_value, tracker, buttons, "booking_topic", list(booking.TOPICS))

    async def validate_booking_language(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        buttons = talk.language_buttons(_language(tracker))
        content_dir = self.deps.settings.content_dir
        return self._typed(
            slot_value, tracker, buttons, "booking_language", list(LANGUAGES),
            by_name=lambda text: language_named_in(text, content_dir),
        )  # fmt: skip

    async def validate_booking_location(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        with self.deps.engine.begin() as connection:
            places = booking.list_locations(connection)
            typed = booking.match_location(connection, str(slot_value or ""))
        codes = [p.code for p in places]
        result = self._typed(
            slot_value, tracker, talk.location_buttons(places), "booking_location", codes,
            by_name=lambda _: typed.code if typed else None,
        )  # fmt: skip
        if result == {"booking_location": None}:
            utter(dispatcher, talk.message(self.deps.store, "booking.location_unknown", _language(tracker)))
        return result

    async def validate_booking_kind(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        question = AskKind(self._given).question(tracker)
        allowed = [v for b in question.buttons if (v := talk.payload_value(b.payload))]
        result = self._typed(slot_value, tracker, question.buttons, "booking_kind", allowed)
        kind = result.get("booking_kind")
        if kind and not AskSlot(self._given).free(tracker, kind):
            return {**result, "requested_slot": None, "booking_outcome": "no_slots"}
        return result

    async def validate_booking_slot(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        question = AskSlot(self._given).question(tracker)
        allowed = [v for b in question.buttons if (v := talk.payload_value(b.payload))]
        choice = str(slot_value or "")
        if choice.isdigit() and choice not in allowed:
            allowed.append(choice)  # a time offered a moment ago; whether it is still free is checked when booking
        return self._typed(slot_value, tracker, question.buttons, "booking_slot", allowed)


# --- the end of the form --------------------------------------------------------------------------


def _reset() -> List[EventType]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "booking_outcome")]


class BookingSubmit(_BookingAction, Action):
    """Book the chosen time; or say why not; or answer what the user asked instead."""

    def name(self) -> str:
        return "action_booking_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        store, language = self.deps.store, _language(tracker)
        outcome = tracker.get_slot("booking_outcome") or ""
        if outcome.startswith("ineligible:"):
            topic = talk.NOT_ELIGIBLE_TOPICS.get(outcome.split(":", 1)[1], "booking.stopped")
            utter(dispatcher, talk.message(store, topic, language))
            return _reset()
        if outcome in ("stopped", "no_slots", "too_many"):
            count = str(_max_future(self.deps))
            utter(dispatcher, talk.message(store, f"booking.{outcome}", language, count=count))
            return _reset()
        if outcome == "interrupted":
            return [*_reset(), *await self._answer_instead(dispatcher, tracker)]
        return await self._book(dispatcher, tracker)

    async def _answer_instead(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """The message that ended the form gets the answer it would have had without the form."""
        intent = ((tracker.latest_message.get("intent") or {}).get("name")) or ""
        if intent == "human_handoff":
            return [FollowupAction("action_handoff")]
        if intent in ("my_appointments", "cancel_appointment", "reschedule_appointment"):
            return [FollowupAction(f"action_{intent}")]
        reply = default_responder().respond(turn_from(tracker))
        for out in reply.messages:
            utter(dispatcher, out)
        events: List[EventType] = []
        if reply.language != tracker.get_slot("language"):
            events.append(SlotSet("language", reply.language))
        if intent == "service_emergency":
            events.append(FollowupAction("action_handoff"))
        return events

    async def _book(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        store, language, now = self.deps.store, _language(tracker), self.deps.clock.now()
        location = _location(self.deps, tracker)
        try:
            with self.deps.engine.begin() as connection:
                made = booking.book(
                    connection, int(tracker.get_slot("booking_slot") or 0), tracker.sender_id,
                    tracker.get_latest_input_channel() or "rest", tracker.get_slot("booking_language") or language,
                    tracker.get_slot("booking_topic") or "other", tracker.get_slot("booking_kind") or "video",
                    location.id if location else None, now, _max_future(self.deps),
                )  # fmt: skip
        except BookingError as error:
            if error.code == "too_many":
                utter(dispatcher, talk.message(store, "booking.too_many", language, count=str(_max_future(self.deps))))
                return _reset()
            # Someone else took the last seat: offer the next times, and ask again.
            utter(dispatcher, talk.message(store, "booking.slot_taken", language))
            return [SlotSet("booking_slot", None), FollowupAction("booking_form")]
        utter(dispatcher, talk.confirmation(store, made, language, _place_name(self.deps, location)))
        return _reset()


# --- after booking: list, cancel, move ---------------------------------------------------------------


def _entity(tracker: Tracker, name: str) -> str | None:
    return next(
        (str(e["value"]) for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name), None
    )


class MyAppointments(_BookingAction, Action):
    def name(self) -> str:
        return "action_my_appointments"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        store, language = self.deps.store, _language(tracker)
        with self.deps.engine.begin() as connection:
            planned = booking.upcoming(connection, tracker.sender_id, self.deps.clock.now())
            places = {entry.id: booking.meeting_place_name(connection, entry.location_id) for entry in planned}
        if not planned:
            utter(dispatcher, talk.message(store, "booking.list_empty", language))
            return []
        header = talk.message(store, "booking.list", language)
        lines = [talk.booking_line(store, entry, language, places[entry.id]) for entry in planned]
        text = "\n".join([header.text, *lines])
        utter(dispatcher, OutMessage(header.content_id, header.language, text, header.buttons))
        return []


class _ChooseBooking(_BookingAction):
    """Cancel and move both start with: which appointment? (buttons carrying its reference)."""

    intent = ""
    which_topic = ""

    def _chosen(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[booking.Booking | None, List[EventType]]:
        store, language = self.deps.store, _language(tracker)
        with self.deps.engine.begin() as connection:
            planned = booking.upcoming(connection, tracker.sender_id, self.deps.clock.now())
        reference = _entity(tracker, "booking_reference")
        chosen = next((b for b in planned if reference and b.reference == reference.upper()), None)
        if chosen is not None:
            return chosen, []
        if not planned:
            utter(dispatcher, talk.message(store, "booking.list_empty", language))
            return None, []
        base = talk.message(store, self.which_topic, language)
        buttons = [
            Button(f"{b.reference} · {talk.slot_title(self._as_slot(b), language)}",
                   f'/{self.intent}{{"booking_reference":"{b.reference}"}}')
            for b in planned
        ]  # fmt: skip
        utter(dispatcher, talk.with_buttons(base, buttons))
        return None, []

    @staticmethod
    def _as_slot(entry: booking.Booking) -> booking.Slot:
        return booking.Slot(entry.slot_id, 0, entry.starts_at, entry.ends_at, 0, 0, False, entry.team, None, (), ())


class CancelAppointment(_ChooseBooking, Action):
    intent = "cancel_appointment"
    which_topic = "booking.which_cancel"

    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        chosen, events = self._chosen(dispatcher, tracker)
        if chosen is None:
            return events
        language = _language(tracker)
        with self.deps.engine.begin() as connection:
            done = booking.cancel(connection, chosen.id, self.deps.clock.now())
        when = format_moment(done.starts_at, language)
        utter(
            dispatcher,
            talk.message(self.deps.store, "booking.cancelled", language, reference=done.reference, when=when),
        )
        return []


class RescheduleAppointment(_ChooseBooking, Action):
    intent = "reschedule_appointment"
    which_topic = "booking.which_move"

    def name(self) -> str:
        return "action_reschedule_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        chosen, events = self._chosen(dispatcher, tracker)
        if chosen is None:
            return events
        store, language, now = self.deps.store, _language(tracker), self.deps.clock.now()
        target = _entity(tracker, "booking_choice")
        if target and target.isdigit():
            try:
                with self.deps.engine.begin() as connection:
                    moved = booking.move(connection, chosen.id, int(target), now)
            except BookingError:
                utter(dispatcher, talk.message(store, "booking.slot_taken", language))
            else:
                when = format_moment(moved.starts_at, language)
                utter(dispatcher, talk.message(store, "booking.moved", language, reference=moved.reference, when=when))
                return []
        with self.deps.engine.begin() as connection:
            lives = booking.get_location(connection, chosen.location_id) if chosen.location_id else None
            free = booking.free_slots(connection, now, chosen.kind, chosen.language, lives, exclude=chosen.slot_id)
        if not free:
            utter(dispatcher, talk.message(store, "booking.no_slots", language))
            return []
        base = talk.message(store, "booking.ask_slot", language)
        buttons = [
            Button(talk.slot_title(slot, language),
                   talk.choice_payload(str(slot.id), self.intent, booking_reference=chosen.reference))
            for slot in free
        ]  # fmt: skip
        utter(dispatcher, talk.with_buttons(base, buttons))
        return []
