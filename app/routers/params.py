"""Query parameters shared by list endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

PageSize = Annotated[int, Query(ge=1, le=500, description="Items per page (max 500).")]
PageToken = Annotated[
    str | None, Query(max_length=200, description="`next_page_token` of the previous page.")
]
SearchText = Annotated[str | None, Query(max_length=200)]
