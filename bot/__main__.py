"""Run the bot: `python -m bot`."""

from bot.main import run

raise SystemExit(run())
