"""The one base of every REST body in ``server/*models.py``: the configuration they share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """Base of every request and response body.

    Unknown fields are an error, so a typo in a client is a 400, not silence. A field named like a
    Python keyword (``with``, ``class``, ``try``) is spelled with a trailing underscore and given
    the keyword as its alias: the alias is its name in JSON, written and read, and the server's
    own code builds it by the Python name.
    """

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=True)
