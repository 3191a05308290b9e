"""``ccsim tts``: synthesise a customer line to a WAV file (checks the voice set-up)."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.errors import UserError
from app.cli.groups import cli
from app.voice.tts import SynthesisError, default_synthesizer, wav_duration_s


@cli.command("tts")
def tts(
    text: str = typer.Argument(..., help="Russian text to speak, e.g. «Алло, вы меня слышите?»"),
    out: Path = typer.Option(..., "--out", "-o", help="WAV file to write"),
) -> None:
    """Speak TEXT with the server's offline engine (espeak-ng) into a WAV file."""
    engine = default_synthesizer()
    if engine is None:
        raise UserError(
            "no speech engine installed: install Debian's espeak-ng "
            "(apt-get install espeak-ng); the desk then falls back to the browser's voice"
        )
    try:
        audio = engine.synthesize(text)
    except SynthesisError as exc:
        raise UserError(str(exc)) from exc
    if out.parent and not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist: create it or choose another --out")
    out.write_bytes(audio)
    typer.echo(f"{out}: {wav_duration_s(audio):.2f} s of speech by {engine.name}")
