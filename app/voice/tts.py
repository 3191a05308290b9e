"""Offline Russian speech synthesis for customer lines.

The interface is one method (text in, WAV bytes out) so a better engine than espeak-ng can be
plugged in without touching callers. Synthesis is cached on disk by a hash of (engine, voice,
rate, text): customer lines repeat across sessions, and a cached line costs a file read.
When no engine is installed, ``default_synthesizer()`` returns ``None`` and the desk falls back
to the browser's own speech synthesis.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

MAX_TEXT_CHARS = 2000


class SynthesisError(Exception):
    """The engine could not synthesise the text (bad input or a broken engine)."""


class SpeechSynthesizer(Protocol):
    @property
    def name(self) -> str: ...

    def synthesize(self, text: str) -> bytes:
        """Return a complete RIFF/WAV file."""
        ...


@dataclass(frozen=True)
class EspeakSynthesizer:
    """espeak-ng from Debian (package ``espeak-ng``), Russian voice ``ru``."""

    executable: str
    voice: str = "ru"
    words_per_minute: int = 165
    pitch: int = 50
    name: str = "espeak-ng"

    def synthesize(self, text: str) -> bytes:
        text = _clean(text)
        with tempfile.TemporaryDirectory(prefix="ccsim-tts-") as tmp:
            out = Path(tmp) / "line.wav"
            # Text goes through stdin, never the command line: no option injection, no
            # length limits of argv.
            proc = subprocess.run(
                [
                    self.executable,
                    "-v",
                    self.voice,
                    "-s",
                    str(self.words_per_minute),
                    "-p",
                    str(self.pitch),
                    "-w",
                    str(out),
                    "--stdin",
                ],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=30,
                check=False,
            )
            if proc.returncode != 0 or not out.exists():
                raise SynthesisError(
                    f"{self.name} failed (exit {proc.returncode}): "
                    f"{proc.stderr.decode('utf-8', 'replace').strip()[:200]}"
                )
            return out.read_bytes()


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise SynthesisError("nothing to say: the text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise SynthesisError(f"text too long: {len(text)} characters (at most {MAX_TEXT_CHARS})")
    return text


@dataclass(frozen=True)
class CachedSynthesizer:
    """Wraps a synthesizer with an on-disk cache; writes are atomic (temp file + rename)."""

    inner: SpeechSynthesizer
    directory: Path

    @property
    def name(self) -> str:
        return self.inner.name

    def cache_path(self, text: str) -> Path:
        key = hashlib.sha256(f"{self.inner!r}\x00{_clean(text)}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.wav"

    def synthesize(self, text: str) -> bytes:
        path = self.cache_path(text)
        if path.exists():
            return path.read_bytes()
        audio = self.inner.synthesize(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(audio)
        os.replace(tmp, path)
        return audio


def wav_duration_s(audio: bytes) -> float:
    with wave.open(io.BytesIO(audio)) as w:
        frames: int = w.getnframes()
        rate: int = w.getframerate()
    return frames / float(rate)


def default_synthesizer(cache_dir: Path | None = None) -> SpeechSynthesizer | None:
    """The best engine this machine has, cached under ``cache_dir``; ``None`` if none."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    engine: SpeechSynthesizer = EspeakSynthesizer(executable=exe)
    if cache_dir is not None:
        engine = CachedSynthesizer(engine, cache_dir)
    return engine
