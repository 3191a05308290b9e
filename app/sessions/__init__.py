"""The session runtime: moves events between sockets, the event log and the engine."""
