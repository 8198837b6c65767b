"""One writer per agency source, each producing exactly the format of contracts/SOURCES.md."""
