"""The Bot API client session: requests as one JSON body, multipart only to upload a file.

aiogram's aiohttp session sends every request as a multipart form, each parameter JSON-encoded
on its own, after walking every field of every button (most of them empty) in Python. A call
screen is redrawn on every press, so that walk and the multipart framing were a large part of
what a press cost. The Bot API takes the same parameters as one JSON object; a request that
uploads a file (an export, a chart) still goes as multipart, through aiogram's own path.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError, ClientTimeout

_JSON_HEADERS = {"Content-Type": "application/json"}


class JsonSession(AiohttpSession):
    """An aiohttp Bot API session that posts parameters as JSON when no file is uploaded."""

    def request_body(self, bot: Bot, method: TelegramMethod[Any]) -> str | None:
        """The method's parameters as a JSON object, or None when it uploads a file."""
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        # Unset and empty fields are dropped by pydantic in one pass, not one by one here.
        for key, value in method.model_dump(warnings=False, exclude_none=True).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                params[key] = prepared
        if files:
            return None
        return self.json_dumps(params)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - the signature aiogram defines
    ) -> TelegramType:
        """Send the method to the Bot API and return its parsed result."""
        body = self.request_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=body,
                headers=_JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as response:
                content = await response.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        result = self.check_response(
            bot=bot, method=method, status_code=response.status, content=content
        )
        return cast(TelegramType, result.result)
