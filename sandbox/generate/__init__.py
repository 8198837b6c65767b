"""Generate a synthetic world: the truth (people, households, mahallas) and its deliveries."""

from sandbox.generate.settings import NOISE_PRESETS, NoiseSettings, noise_preset
from sandbox.generate.world import WorldManifest, generate_world

__all__ = ["NOISE_PRESETS", "NoiseSettings", "WorldManifest", "generate_world", "noise_preset"]
