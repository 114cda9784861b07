"""Query parameters shared by list endpoints.

Text parameters carry `SingleLine` (app/schemas/common.py), as request bodies do: a control
character is a 422 naming the parameter, never a database error (issue 11, part 5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.schemas.common import SingleLine

PageSize = Annotated[int, Query(ge=1, le=500, description="Items per page (max 500).")]
PageToken = Annotated[
    str | None,
    Query(max_length=200, description="`next_page_token` of the previous page."),
    SingleLine,
]
SearchText = Annotated[str | None, Query(max_length=200), SingleLine]
