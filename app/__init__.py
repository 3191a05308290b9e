"""ccsim application layer: settings, database, web (HTTP + websocket) and the CLI."""
