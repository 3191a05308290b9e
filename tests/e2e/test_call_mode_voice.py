"""The customer's voice on a call desk in a real Chromium: the server's WAV of each live line is
played in an <audio> element, the browser's own speech synthesis takes over when the server
answers 503, the listening-only mode hides the words, the sound button stops playback, and the
trainee can answer by voice (text lands in the composer, editable) or, without a recogniser, by
typing; the desk's mute button turns the microphone off.

Chromium runs with a fake audio device and without the autoplay gesture requirement, as a
trainee's browser would after one click. Speech recognition needs Google's servers in Chromium,
which a test machine does not have, so the recogniser itself is replaced by a scripted one in
the page (``add_init_script``); everything after its results is the desk's real code."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import Browser, Page, Response, expect

from app.db.engine import create_db_engine, create_session_factory
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SCREENSHOTS,
    TIMEOUT_MS,
    LiveServer,
    log_in,
)

pytestmark = pytest.mark.e2e

CALL = "a01-mobile-roaming-call"
HIDDEN = "e2e-roaming-call-listening"
VOICE_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
GREETING = (
    "Здравствуйте! Компания «Волна Мобайл», меня зовут Ирина. Для доступа к вашему номеру "
    "назовите, пожалуйста, фамилию, имя, отчество владельца и кодовое слово."
)
HOLD_REQUEST = (
    "Спасибо, Игорь Васильевич. Мне нужно проверить настройки роуминга на вашем номере, это "
    "займёт около минуты. Вы можете подождать на линии?"
)
RECORD_SPEECH = """
window.__spoken = [];
if (window.speechSynthesis) {
  const original = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (utterance) => {
    window.__spoken.push({ text: utterance.text, lang: utterance.lang });
    original(utterance);
  };
}
"""
SCRIPTED_RECOGNISER = """
class ScriptedRecognition {
  start() {
    window.__recognition = { lang: this.lang, interim: this.interimResults };
    const result = (text, isFinal) => Object.assign([{ transcript: text }], { isFinal });
    setTimeout(() => this.onstart?.(), 10);
    const emit = (text, isFinal) =>
      this.onresult?.({ resultIndex: 0, results: [result(text, isFinal)] });
    setTimeout(() => emit("Здравствуйте меня", false), 60);
    setTimeout(() => emit("Здравствуйте меня зовут Ирина", true), 400);
    setTimeout(() => this.onend?.(), 450);
  }
  stop() { this.onend?.(); }
}
window.SpeechRecognition = ScriptedRecognition;
window.webkitSpeechRecognition = ScriptedRecognition;
"""
NO_RECOGNISER = "delete window.SpeechRecognition; delete window.webkitSpeechRecognition;"

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng): the server has no voice",
)


@pytest.fixture(scope="module")
def voice_browser(browser: Browser) -> Iterator[Browser]:
    launched = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *VOICE_ARGS]
    )
    yield launched
    launched.close()


@pytest.fixture
def call_page(voice_browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = voice_browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 800}, locale="ru-RU"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"test_call_mode_voice-{name}.png"))


def open_call(page: Page, scenario_id: str = CALL) -> str:
    log_in(page)
    csrf = next((c["value"] for c in page.context.cookies() if c["name"] == "ccsim_csrf"), "")
    response = page.request.post(
        "/api/sessions", data={"scenario_id": scenario_id}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 201, response.text()
    session_id = str(response.json()["session_id"])
    page.goto(f"/sessions/{session_id}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    return session_id


def is_audio(response: Response) -> bool:
    return re.search(r"/audio/\d+\.wav$", response.url) is not None


@needs_espeak
def test_call_mode_voice_plays_the_servers_audio_of_each_line(call_page: Page) -> None:
    page = call_page
    with page.expect_response(is_audio) as first:
        open_call(page)
    response = first.value
    assert response.status == 200
    assert response.headers["content-type"] == "audio/wav"
    assert int(response.headers["content-length"]) > 10_000  # a second of 22 kHz 16-bit audio
    # The <audio> element really played the line to its end.
    expect(page.locator("#desk")).to_have_attribute("data-audio-ended", "1", timeout=20_000)
    played = page.evaluate(
        "() => { const a = document.getElementById('customer-audio');"
        " return {t: a.currentTime, d: a.duration, paused: a.paused}; }"
    )
    assert played["t"] > 0.5 and played["d"] > 0.5, played
    assert page.locator("#desk").get_attribute("data-voice") == "server"
    assert page.evaluate("() => window.speechSynthesis.speaking") is False
    expect(page.locator(".bubble-customer").first).not_to_have_text("🔊 (реплика клиента)")
    shot(page, "server-voice")

    # The next live line is fetched and starts playing; the sound button stops it mid-line.
    with page.expect_response(is_audio) as second:
        page.locator("#reply").fill(GREETING)
        page.locator("#reply").press("Enter")
    assert second.value.status == 200
    expect(page.locator("#desk")).to_have_attribute("data-audio-played", "2", timeout=20_000)
    page.locator("#sound-btn").click()
    expect(page.locator("#sound-btn")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#desk")).to_have_attribute("data-sound-off", "true")
    assert page.evaluate("() => document.getElementById('customer-audio').paused") is True
    # Sound off: later lines are shown but neither fetched nor played.
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if "/audio/" in r.url else None)
    before = page.locator(".bubble-customer").count()
    page.locator("#reply").fill(HOLD_REQUEST)
    page.locator("#reply").press("Enter")
    expect(page.locator(".bubble-customer")).to_have_count(before + 1)
    page.wait_for_timeout(500)
    assert requested == []
    desk = page.locator("#desk")
    assert (desk.get_attribute("data-audio-played"), desk.get_attribute("data-audio-ended")) == (
        "2",
        "1",
    )


def test_call_mode_voice_falls_back_to_the_browsers_speech_on_503(call_page: Page) -> None:
    page = call_page
    page.add_init_script(RECORD_SPEECH)
    audio_requests: list[int] = []

    def unavailable(route) -> None:  # type: ignore[no-untyped-def]
        audio_requests.append(1)
        route.fulfill(status=503, json={"error": "tts_unavailable", "detail": "test"})

    page.route(re.compile(r".*/audio/\d+\.wav$"), unavailable)
    open_call(page)
    first_line = page.locator(".bubble-customer .bubble-text").first
    expect(first_line).to_be_visible()
    page.wait_for_function("() => window.__spoken.length >= 1")
    spoken = page.evaluate("() => window.__spoken")
    assert spoken[0] == {"text": first_line.inner_text(), "lang": "ru-RU"}
    assert page.locator("#desk").get_attribute("data-voice") == "browser"
    # After a 503 the desk stops asking the server: the next line goes straight to the browser.
    page.locator("#reply").fill(GREETING)
    page.locator("#reply").press("Enter")
    page.wait_for_function("() => window.__spoken.length >= 2", timeout=20_000)
    assert len(audio_requests) == 1
    shot(page, "browser-voice")


@pytest.fixture(scope="module")
def listening_scenario(live_server: LiveServer) -> str:
    """The roaming call in listening-only mode, published next to the demo library."""
    source = (ROOT / "scenarios" / CALL / "scenario.yaml").read_text("utf-8")
    source = source.replace(f"id: {CALL}", f"id: {HIDDEN}", 1) + "\nhide_transcript: true\n"
    raw = yaml.safe_load(source)
    meta = ScenarioMeta(
        title=raw["title"],
        function=raw["function"],
        channel=raw["channel"],
        difficulty=raw["difficulty"],
        industry=raw["industry"],
    )
    engine = create_db_engine(live_server.database_url)
    with create_session_factory(engine).begin() as db:
        ScenarioRepository(db).add_version(HIDDEN, source, meta, published=True)
    engine.dispose()
    return HIDDEN


def test_call_mode_voice_hides_the_transcript_in_listening_mode(
    call_page: Page, listening_scenario: str
) -> None:
    page = call_page
    page.add_init_script(RECORD_SPEECH)
    page.route(
        re.compile(r".*/audio/\d+\.wav$"),
        lambda route: route.fulfill(status=503, json={"error": "tts_unavailable"}),
    )
    open_call(page, listening_scenario)
    placeholder = page.locator(".bubble-customer .bubble-text").first
    expect(placeholder).to_have_text("🔊 (реплика клиента)")
    page.wait_for_function("() => window.__spoken.length >= 1")
    words = page.evaluate("() => window.__spoken[0].text")
    assert words and words not in page.locator("#conversation").inner_text()
    # The placeholder replays the line.
    placeholder.get_by_role("button").click()
    page.wait_for_function("() => window.__spoken.length >= 2")
    assert page.evaluate("() => window.__spoken[1].text") == words
    # A reload redraws the contact masked, and does not speak old lines again.
    page.reload()
    expect(page.locator(".bubble-customer .bubble-text").first).to_have_text("🔊 (реплика клиента)")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__spoken.length") == 0
    shot(page, "listening-mode")


def test_call_mode_voice_answer_is_recognised_into_the_editable_composer(call_page: Page) -> None:
    page = call_page
    page.add_init_script(SCRIPTED_RECOGNISER)
    page.route(
        re.compile(r".*/audio/\d+\.wav$"),
        lambda route: route.fulfill(status=503, json={"error": "tts_unavailable"}),
    )
    open_call(page)
    mic = page.locator("#mic-btn")
    expect(mic).to_be_visible()
    mic.click()
    expect(page.locator("#mic-status")).to_contain_text("Здравствуйте меня")  # interim words
    expect(page.locator("#reply")).to_have_value("Здравствуйте меня зовут Ирина")
    expect(page.locator("#reply")).to_be_focused()
    assert page.evaluate("() => window.__recognition") == {"lang": "ru-RU", "interim": True}
    assert page.locator(".bubble-operator").count() == 0  # nothing is sent by voice alone
    shot(page, "recognised")
    page.locator("#reply").press("End")
    page.keyboard.type(", компания «Волна Мобайл».")
    page.locator("#reply").press("Enter")
    expect(page.locator(".bubble-operator .bubble-text").first).to_have_text(
        "Здравствуйте меня зовут Ирина, компания «Волна Мобайл»."
    )
    # The call bar's mute button turns the microphone off: no recognition until unmuted.
    page.evaluate("() => { window.__recognition = null; }")
    page.locator("#mute-btn").click()
    mic.click()
    expect(page.locator("#mic-status")).to_contain_text("Микрофон выключен")
    assert page.evaluate("() => window.__recognition") is None


def test_call_mode_voice_without_a_recogniser_has_no_mic_and_typing_works(
    call_page: Page,
) -> None:
    page = call_page
    page.add_init_script(NO_RECOGNISER)
    page.route(
        re.compile(r".*/audio/\d+\.wav$"),
        lambda route: route.fulfill(status=503, json={"error": "tts_unavailable"}),
    )
    open_call(page)
    expect(page.locator(".bubble-customer").first).to_be_visible()
    expect(page.locator("#mic-btn")).to_have_count(0)
    page.locator("#reply").fill("Здравствуйте!")
    page.locator("#reply").press("Enter")
    expect(page.locator(".bubble-operator:not(.pending) .bubble-text")).to_have_text(
        "Здравствуйте!"
    )
