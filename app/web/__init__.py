"""The web layer: HTTP routes, websockets and templates; it moves events between the socket,
the event log and the engine, and holds no session state of its own."""
