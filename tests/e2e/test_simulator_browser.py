"""The phone simulator in headless Chromium (Debian's package, driven by Selenium): a short conversation in
Arabic on Telegram and in Tigrinya on WhatsApp, with screenshots kept in tests/artefacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from bot.content import ContentStore
from bot.settings import ROOT

pytestmark = pytest.mark.e2e
STORE = ContentStore.load(ROOT / "content")
ARTEFACTS = ROOT / "tests" / "artefacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail("headless Chromium is needed: apt-get install chromium chromium-driver fonts-noto-core")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,860", "--lang=en"):
        options.add_argument(argument)
    # An explicit driver path: Selenium must not try to download one.
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def bot_bubbles(browser: WebDriver) -> list[WebElement]:
    return browser.find_elements(By.CSS_SELECTOR, ".msg.bot")


def wait_for_bubble(browser: WebDriver, text: str) -> WebElement:
    def found(_: object) -> WebElement | bool:
        return next((b for b in bot_bubbles(browser) if text in b.text), False)

    return WebDriverWait(browser, 30).until(found, f"no bot message containing {text[:40]!r}")


def type_message(browser: WebDriver, text: str) -> None:
    box = browser.find_element(By.CSS_SELECTOR, "[data-testid=input]")
    box.send_keys(text)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=send]").click()


def direction(browser: WebDriver, element: WebElement) -> str:
    return str(browser.execute_script("return getComputedStyle(arguments[0]).direction", element))


def test_arabic_on_telegram(assistant, browser):
    ARTEFACTS.mkdir(exist_ok=True)
    browser.get(assistant.settings.simulator_url + "/")
    browser.find_element(By.ID, "tab-telegram").click()
    type_message(browser, "مرحبا")
    greeting = wait_for_bubble(browser, STORE.get("greet", "ar").text.splitlines()[0])
    assert direction(browser, greeting) == "rtl"
    menu = wait_for_bubble(browser, STORE.get("ui.language_menu", "ar").text)
    keyboard = menu.find_element(By.XPATH, "following-sibling::div[@data-testid='keyboard'][1]")
    buttons = keyboard.find_elements(By.TAG_NAME, "button")
    assert [b.text for b in buttons][:2] == ["العربية", "ትግርኛ"]
    buttons[0].click()
    chosen = wait_for_bubble(browser, STORE.get("choose_language", "ar").text)
    assert direction(browser, chosen) == "rtl"
    browser.save_screenshot(str(ARTEFACTS / "simulator-telegram-arabic.png"))


def test_tigrinya_on_whatsapp(assistant, browser):
    ARTEFACTS.mkdir(exist_ok=True)
    browser.get(assistant.settings.simulator_url + "/")
    browser.find_element(By.ID, "tab-whatsapp").click()
    type_message(browser, "ሰላም")
    wait_for_bubble(browser, STORE.get("greet", "ti").text.splitlines()[0])
    menu = wait_for_bubble(browser, STORE.get("ui.language_menu", "ti").text)
    assert "2. ትግርኛ" in menu.text and STORE.get("ui.reply_with_number", "ti").text in menu.text
    type_message(browser, "2")
    chosen = wait_for_bubble(browser, STORE.get("choose_language", "ti").text)
    assert direction(browser, chosen) == "ltr"
    browser.save_screenshot(str(ARTEFACTS / "simulator-whatsapp-tigrinya.png"))
