"""Staff side end to end in headless Chromium: a real Arabic conversation on Telegram (through the phone
simulator) asks for a person; a staff member logs in, picks the case up, answers with a canned reply that
arrives at the fake Telegram API, and resolves the case so the assistant answers again.
Screenshots go to tests/artefacts/."""

from __future__ import annotations

import random

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot import inbox
from bot.clock import SystemClock
from bot.content import ContentStore
from bot.settings import ROOT
from bot.storage import migrated_engine
from tests.e2e.test_channels import send, wait_for
from tests.e2e.test_simulator_browser import ARTEFACTS, browser  # noqa: F401 - the browser fixture
from tests.e2e.test_topics_in_every_language import first_example

pytestmark = pytest.mark.e2e
STORE = ContentStore.load(ROOT / "content")
PASSWORD = "staff password 1"


def test_staff_answer_an_arabic_case_and_hand_back_to_the_bot(assistant, browser):  # noqa: F811
    ARTEFACTS.mkdir(exist_ok=True)
    settings = assistant.settings
    email = f"amal{random.randint(1000, 9999)}@vwn.local"
    with migrated_engine(settings.app_database_url).begin() as connection:
        inbox.create_staff(connection, email, "Amal", PASSWORD, "agent", ["ar", "nl"], SystemClock().now())

    user = str(random.randint(100000, 999999))
    with assistant.simulator() as simulator:
        send(simulator, channel="telegram", user=user, text="مرحبا")
        _, menu = wait_for(simulator, "telegram", user, 2)
        send(simulator, channel="telegram", user=user, payload=menu["buttons"][0]["payload"])  # العربية
        [chosen] = wait_for(simulator, "telegram", user, 1, after=menu["id"])
        send(simulator, channel="telegram", user=user, text="/human")
        [waiting] = wait_for(simulator, "telegram", user, 1, after=chosen["id"])
        # A person will answer: now (office hours) or from the next opening; both mention 112.
        assert "112" in waiting["text"] and "VluchtelingenWerk" in waiting["text"]
        send(simulator, channel="telegram", user=user, text="وصلتني رسالة من IND ولا أفهمها")
        with pytest.raises(AssertionError):  # the bot is paused: no answer
            wait_for(simulator, "telegram", user, 1, after=waiting["id"], timeout=3)

        browser.get(settings.inbox_url + "/")
        browser.find_element(By.NAME, "email").send_keys(email)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "button.primary").click()
        row = WebDriverWait(browser, 10).until(
            lambda b: next((r for r in b.find_elements(By.CSS_SELECTOR, "tr[data-case]") if "Arabic" in r.text), False)
        )
        browser.save_screenshot(str(ARTEFACTS / "inbox-queue.png"))
        row.find_element(By.TAG_NAME, "a").click()
        WebDriverWait(browser, 10).until(lambda b: "وصلتني رسالة من IND" in b.find_element(By.ID, "history").text)

        hello = STORE.get("canned.hello", "ar").text
        card = browser.find_element(By.CSS_SELECTOR, ".canned[data-topic='canned.hello']")
        assert STORE.get("canned.hello", "nl").text in card.text  # the meaning, for a Dutch-speaking colleague
        card.find_element(By.CSS_SELECTOR, "button.use").click()
        browser.find_element(By.CSS_SELECTOR, "#reply button.primary").click()
        [reply] = wait_for(simulator, "telegram", user, 1, after=waiting["id"])
        assert reply["text"] == hello  # delivered through python-telegram-bot to the fake Bot API
        WebDriverWait(browser, 10).until(lambda b: "sent" in b.find_element(By.ID, "history").text)
        browser.save_screenshot(str(ARTEFACTS / "inbox-case-arabic.png"))

        browser.find_element(By.CSS_SELECTOR, "form.resolve button").click()
        [resumed] = wait_for(simulator, "telegram", user, 1, after=reply["id"])
        assert resumed["text"] == STORE.get("ui.handoff_resumed", "ar").text
        send(simulator, channel="telegram", user=user, text="شكرا")
        [thanks] = wait_for(simulator, "telegram", user, 1, after=resumed["id"])
        assert thanks["text"] == STORE.get("thanks", "ar").text


def test_new_cases_appear_in_the_queue_without_reloading(assistant, browser):  # noqa: F811
    settings = assistant.settings
    email = f"piet{random.randint(1000, 9999)}@vwn.local"
    with migrated_engine(settings.app_database_url).begin() as connection:
        inbox.create_staff(connection, email, "Piet", PASSWORD, "agent", ["ti"], SystemClock().now())
    browser.delete_all_cookies()
    browser.get(settings.inbox_url + "/login")
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    before = len(browser.find_elements(By.CSS_SELECTOR, "tr[data-case]"))
    user = f"whatsapp:+3162{random.randint(1000000, 9999999)}"
    with httpx.Client(base_url=settings.simulator_url, timeout=60) as simulator:
        send(simulator, channel="whatsapp", user=user, text="ሰላም")
        wait_for(simulator, "whatsapp", user, 2)
        send(simulator, channel="whatsapp", user=user, text=first_example("human_handoff", "ti"))
    WebDriverWait(browser, 15).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "tr[data-case]")) > before)
