"""Implementations of `bot.embedding.Embedder`, one module each, imported only when configured."""
