"""Speech synthesis of customer lines: real audio from the real engine, cached per line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.voice.tts import CachedSynthesizer, SynthesisError, default_synthesizer, wav_duration_s

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng): TTS tests need the real engine",
)

SHORT = "Алло, вы здесь?"
LONG = (
    "Здравствуйте! У меня второй день не работает домашний интернет, "
    "я уже перезагружал роутер, но индикатор всё равно мигает красным."
)


def test_tts_produces_real_russian_audio_of_plausible_length() -> None:
    engine = default_synthesizer()
    assert engine is not None
    short, long = engine.synthesize(SHORT), engine.synthesize(LONG)
    assert short[:4] == b"RIFF" and short[8:12] == b"WAVE"
    d_short, d_long = wav_duration_s(short), wav_duration_s(long)
    # Speech runs at roughly 10-20 characters per second.
    assert 0.5 < d_short < 4
    assert len(LONG) / 25 < d_long < len(LONG) / 6
    assert d_long > 3 * d_short


def test_tts_cache_returns_the_same_audio_without_resynthesising(tmp_path: Path) -> None:
    engine = default_synthesizer(cache_dir=tmp_path)
    assert isinstance(engine, CachedSynthesizer)
    first = engine.synthesize(SHORT)
    cached = engine.cache_path(SHORT)
    assert cached.read_bytes() == first
    cached.write_bytes(first[:44] + b"\x00" * 100)  # prove the second call reads the cache
    assert engine.synthesize(SHORT) == cached.read_bytes()
    assert engine.cache_path("  Алло,   вы здесь? ") == cached  # whitespace-insensitive key


def test_tts_rejects_empty_and_oversized_text() -> None:
    engine = default_synthesizer()
    assert engine is not None
    with pytest.raises(SynthesisError, match="empty"):
        engine.synthesize("   ")
    with pytest.raises(SynthesisError, match="too long"):
        engine.synthesize("а" * 5000)


def test_tts_cli_writes_a_wav_and_errors_cleanly(tmp_path: Path) -> None:
    ccsim = Path(sys.executable).parent / "ccsim"
    out = tmp_path / "line.wav"
    ok = subprocess.run(
        [str(ccsim), "tts", SHORT, "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert wav_duration_s(out.read_bytes()) > 0.5
    bad = subprocess.run(
        [str(ccsim), "tts", SHORT, "--out", str(tmp_path / "missing" / "x.wav")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "does not exist" in bad.stderr and "Traceback" not in bad.stderr
