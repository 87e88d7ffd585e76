"""Configuration: the schema (one frozen model per YAML section) and its loader."""

from parity.engine.config.loader import (ConfigError, config_hash, defaults_note, dump_config, load_config,
                                         validate_config)
from parity.engine.config.schema import ParityConfig

__all__ = ["ConfigError", "ParityConfig", "config_hash", "defaults_note", "dump_config", "load_config", "validate_config"]
