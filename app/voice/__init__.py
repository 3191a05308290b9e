"""Customer voices for call scenarios: offline speech synthesis behind a small interface."""
