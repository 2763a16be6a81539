"""configs/params.yaml: read, then checked and completed by pipeline/settings.py."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import PipelineError
from .settings import validate

DEFAULT_PARAMS = Path("configs/params.yaml")


def load_params(path: str | Path = DEFAULT_PARAMS) -> dict:
    path = Path(path)
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(f"{path}: parameters file not found (run from the project root or pass --params)") from None
    except yaml.YAMLError as err:
        raise PipelineError(f"{path}: invalid YAML: {str(err).splitlines()[0]}") from None
    return validate(params, str(path))
