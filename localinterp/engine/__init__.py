"""How tokens are produced: backends that turn a conversation into a stream of typed events."""
