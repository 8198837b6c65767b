"""A synthetic population and fake agencies that deliver it in the contract formats.

- `generate_world(out_dir, people, seed=..., noise=NoiseSettings())` writes a world folder
  (see sandbox.generate.world for its layout) and returns its `WorldManifest`.
- `create_agency_app(world_dir, AgencySettings())` is the ASGI app of the fake tax and bank
  APIs over that folder; `serve_in_thread(app)` serves it on a loopback port.
"""

from sandbox.generate import NOISE_PRESETS, NoiseSettings, WorldManifest, generate_world
from sandbox.serve import AgencySettings, FaultSettings, create_agency_app, serve_in_thread

__all__ = [
    "NOISE_PRESETS",
    "AgencySettings",
    "FaultSettings",
    "NoiseSettings",
    "WorldManifest",
    "create_agency_app",
    "generate_world",
    "serve_in_thread",
]
