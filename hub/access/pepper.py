"""The server secret API keys are hashed with (`HUB_API_KEY_PEPPER`).

Keys are stored as HMAC-SHA256(pepper, key) rather than as password hashes: a key carries
256 bits of randomness, so a slow hash buys nothing against guessing, and an HMAC costs a
microsecond on every request where argon2 costs tens of milliseconds. The pepper lives
outside the database, so a copy of the `api_key` table alone cannot test guesses.

When `HUB_API_KEY_PEPPER` is unset, a random pepper is created once in the data folder
(`<HUB_DATA_DIR>/api_key_pepper`, readable by its owner only) so that the command line and
the server on one machine agree without setup; production sets the variable on every
server and for `hub keys`. Changing the pepper invalidates every key.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from hub.config import ConfigurationError

PEPPER_VARIABLE = "HUB_API_KEY_PEPPER"
PEPPER_FILE = "api_key_pepper"
MIN_PEPPER_LENGTH = 32


def load_pepper(data_dir: Path, environ: Mapping[str, str] | None = None) -> bytes:
    """The pepper from the environment, else from (or newly into) `data_dir`'s file."""
    env = os.environ if environ is None else environ
    raw = env.get(PEPPER_VARIABLE)
    if raw is not None and raw.strip():
        if len(raw.strip()) < MIN_PEPPER_LENGTH:
            raise ConfigurationError(
                f"{PEPPER_VARIABLE} has {len(raw.strip())} characters. "
                f"It needs at least {MIN_PEPPER_LENGTH} (e.g. `openssl rand -hex 32`)."
            )
        return raw.strip().encode("utf-8")
    path = data_dir / PEPPER_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(secrets.token_hex(32))
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < MIN_PEPPER_LENGTH:
        raise ConfigurationError(
            f"{path} holds no valid pepper; delete it or set {PEPPER_VARIABLE}."
        )
    return value.encode("utf-8")
