"""The user's own strategies package. It is deliberately named `strategies`, like Parity's own
folder: Parity installs its packages under `parity.*`, so the two never collide."""
