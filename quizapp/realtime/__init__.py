"""The realtime layer: Socket.IO handlers that translate events into calls on live games."""
